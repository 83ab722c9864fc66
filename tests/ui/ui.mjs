// End-to-end test of the logreader web UI (spec docs/spec/logreader.md §12, acceptance items 132–133
// and 152: the run health board page) in headless Chromium, driven by playwright-core.
//
//   node tests/ui/ui.mjs <base-url>
//
// <base-url> is a running logreader (for example http://127.0.0.1:41234) whose database
// holds the three conformance fixture collections, and tests/ui/board.json as the messages
// of BOARD_RUN. tests/ui/main.rs starts one and runs this
// script; scripts/test installs Chromium and `npm ci --prefix tests/ui` beforehand.
//
// Environment (all optional): UI_FIXTURES_DIR (the conformance fixture directory, default
// tests/fixtures/conformance in the repository) and UI_SCREENSHOT (default
// target/ui-screenshot.png in the repository).
//
// Prints one "ok - ..." line per passed check; exits 0 only when every check passed.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const OVERALL_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 15_000;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const FIXTURES = process.env.UI_FIXTURES_DIR || path.join(REPO, "tests", "fixtures", "conformance");
const SCREENSHOT = process.env.UI_SCREENSHOT || path.join(REPO, "target", "ui-screenshot.png");

const RUN_ID = "2020-06-03T04:01:52.345Z";
const BOARD_RUN = "2020-06-03T10:01:52.345Z";
const BOARD_SCREENSHOT = SCREENSHOT.replace(/\.png$/, "-board.png");

function die(message) {
  console.error(`not ok - ${message}`);
  process.exit(1);
}

// ---- preconditions, each failing with the command that installs the missing piece ----

const baseArg = process.argv[2];
if (!baseArg) die("usage: node tests/ui/ui.mjs <base-url>");
const PAGE_URL = new URL("/", baseArg).href;

if (!fs.existsSync(CHROMIUM)) {
  die(`${CHROMIUM} is missing; scripts/test installs it (apt-get install -y chromium)`);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (error) {
  die(
    `playwright-core cannot be loaded (${error.message}); scripts/test installs it ` +
      "(npm ci --prefix tests/ui --no-audit --no-fund)",
  );
}

const watchdog = setTimeout(() => die(`the UI test took longer than ${OVERALL_TIMEOUT_MS} ms`), OVERALL_TIMEOUT_MS);
watchdog.unref();

// ---- fixture expectations ----

const readJson = (name) => JSON.parse(fs.readFileSync(path.join(FIXTURES, "data", name), "utf8"));
const simulations = readJson("simulations.json");
const expectedOrder = simulations
  .map((simulation) => ({ id: simulation.SimulationId, start: Date.parse(simulation.StartTime.$date) }))
  .sort((a, b) => b.start - a.start)
  .map((simulation) => simulation.id);
const expectedCsv = fs.readFileSync(path.join(FIXTURES, "data", "testGetTimeSeriesCsvForEpoch__result.csv"), "utf8");
// AMQP `energy.#`: the word `energy` followed by zero or more words.
const expectedEnergyIds = readJson("messages1.json")
  .filter((message) => message.Topic === "energy" || message.Topic.startsWith("energy."))
  .map((message) => message.MessageId)
  .sort();
assert.ok(expectedEnergyIds.length > 0, "the fixture has energy.* messages");

const enc = encodeURIComponent;

// The board of tests/ui/board.json (docs/spec/logreader.md §16): battery1 is ready, fails in
// epoch 3 with a warning and recovers; solarPlant1 stops reporting after epoch 2;
// weatherDivinity sends results, one with a warning in epoch 2, and never a status; the
// simulation manager sends only Epoch messages. Each cell: [status, warned].
const boardMessages = JSON.parse(fs.readFileSync(path.join(HERE, "board.json"), "utf8"));
const expectedBoard = {
  battery1: [["ready", false], ["ready", false], ["error", true], ["ready", false]],
  simulationManager: [["", false], ["", false], ["", false], ["", false]],
  solarPlant1: [["ready", false], ["ready", false], ["silent", false], ["silent", false]],
  weatherDivinity: [["", false], ["", true], ["", false], ["", false]],
};
assert.deepEqual(
  [...new Set(boardMessages.map((message) => message.SourceProcessId))].sort(),
  Object.keys(expectedBoard),
  "board.json has the processes the expectations name",
);

/** Splits a relative URL into its path and its raw (still encoded) `name=value` parts. */
function splitUrl(relative) {
  const [pathPart, query = ""] = relative.split("?");
  return { path: pathPart, query: query === "" ? [] : query.split("&").sort() };
}

/**
 * The URL a form shows, made relative to the page's directory (the UI may show it either
 * relative or resolved against the page), compared with the expected relative URL. The
 * order of the query parameters is free; every value must be encoded exactly like
 * encodeURIComponent and blank fields must be left out.
 */
function assertUrl(shown, expectedRelative, what) {
  const relative = shown.startsWith(PAGE_URL) ? shown.slice(PAGE_URL.length) : shown;
  assert.deepEqual(
    splitUrl(relative),
    splitUrl(expectedRelative),
    `${what}: shown URL ${JSON.stringify(shown)} should be ${JSON.stringify(expectedRelative)} ` +
      `(relative to ${PAGE_URL}; parameter order free)`,
  );
}

// ---- the run health board page ----

/** The board page's checks, starting on the main page with the simulations listed. */
async function checkBoard(page) {
  const boardRelative = `board.html?simId=${enc(BOARD_RUN)}`;
  const grid = page.locator("#board-grid");

  await check(`the simulations table links run ${BOARD_RUN} to its board, and the link opens it`, async () => {
    const link = page.getByRole("link", { name: `Run health board of ${BOARD_RUN}` });
    assert.equal(await link.getAttribute("href"), boardRelative, "href of the Board link");
    await link.click();
    await page.waitForURL(new URL(boardRelative, PAGE_URL).href);
    await grid.locator("tbody tr").first().waitFor();
  });

  await check("the grid has a row per process and a column per epoch", async () => {
    const columns = (await grid.locator("thead th").allTextContents()).map((text) => text.trim());
    assert.deepEqual(columns, ["Process", "1", "2", "3", "4"], "column headers");
    const processes = (await grid.locator("tbody th").allTextContents()).map((text) => text.trim());
    assert.deepEqual(processes, Object.keys(expectedBoard), "row headers, by ProcessId");
  });

  await check("each cell shows its status in one colour per status, with warnings marked", async () => {
    const colours = new Map();
    for (const [process, cells] of Object.entries(expectedBoard)) {
      const row = grid.locator(`tbody tr[data-process="${process}"] td`);
      assert.equal(await row.count(), cells.length, `${process}: a cell per epoch`);
      for (const [index, [status, warned]] of cells.entries()) {
        const cell = row.nth(index);
        const what = `${process}, epoch ${index + 1}`;
        assert.equal(await cell.getAttribute("data-status"), status, `${what}: status`);
        const text = (await cell.textContent()).trim();
        assert.equal(text.includes("⚠"), warned, `${what}: warning mark in ${JSON.stringify(text)}`);
        if (status !== "") assert.ok(text.startsWith(status), `${what}: the status as text`);
        const colour = await cell.evaluate((element) => getComputedStyle(element).backgroundColor);
        colours.set(status, [...(colours.get(status) ?? []), colour]);
      }
    }
    for (const [status, seen] of colours) {
      assert.equal(new Set(seen).size, 1, `one colour for status ${JSON.stringify(status)}: ${seen}`);
    }
    const distinct = new Set([...colours.values()].map((seen) => seen[0]));
    assert.equal(distinct.size, colours.size, `a different colour per status: ${[...colours]}`);
  });

  await check("a cell links to that process's messages of that epoch", async () => {
    const link = grid.locator('tbody tr[data-process="battery1"] td[data-epoch="3"] a');
    const relative = `simulations/${enc(BOARD_RUN)}/messages?process=battery1&epoch=3`;
    assert.equal(await link.getAttribute("href"), relative, "href of the battery1 epoch 3 cell");
    await link.click();
    await page.waitForURL(new URL(relative, PAGE_URL).href);
    const text = await page.evaluate(() => document.body.innerText);
    const messages = JSON.parse(text.slice(text.indexOf("[")));
    assert.deepEqual(messages.map((message) => message.MessageId), ["battery1-3"], "the messages it opens");
    await page.goBack();
    await grid.locator("tbody tr").first().waitFor();
  });

  await check("choosing a process shows its change log beside the grid", async () => {
    await grid.getByRole("button", { name: "Change log of battery1" }).click();
    const log = page.locator("#change-log");
    await log.locator("table").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelectorAll("#change-log tbody tr").length > 0);
    const rows = [];
    for (const row of await log.locator("tbody tr").all()) {
      const cells = (await row.locator("td").allTextContents()).map((text) => text.trim());
      rows.push([cells[0], cells[2], cells[3], cells[4], cells[5]]);
    }
    assert.deepEqual(
      rows,
      [
        ["1", "ready", "battery1-1", "", ""],
        ["3", "error", "battery1-3", "battery overheated", "warning.temperature"],
        ["4", "ready", "battery1-4", "", ""],
      ],
      "battery1's changes: epoch, status, MessageId, Description, Warnings",
    );
    assert.match(await log.locator("h2").textContent(), /battery1/, "the log names its process");
    const gridBox = await grid.boundingBox();
    const logBox = await log.boundingBox();
    assert.ok(logBox.x >= gridBox.x + gridBox.width, `the log (x ${logBox.x}) is beside the grid (ends at ${gridBox.x + gridBox.width})`);
  });

  await check(`board screenshot saved to ${path.relative(REPO, BOARD_SCREENSHOT)}`, async () => {
    await page.screenshot({ path: BOARD_SCREENSHOT, fullPage: true });
  });
}

// ---- the browser session ----

let passed = 0;
async function check(name, body) {
  await body();
  passed += 1;
  console.log(`ok - ${name}`);
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "logreader-ui-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
});
context.setDefaultTimeout(STEP_TIMEOUT_MS);
const pageErrors = [];

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") {
      console.log(`# browser console: ${message.text()} (${message.location().url || "no URL"})`);
    }
  });

  await check(`the page loads from ${PAGE_URL}`, async () => {
    const response = await page.goto(PAGE_URL);
    assert.equal(response?.status(), 200, "status of the page");
  });

  const table = page.locator("table", { has: page.locator("th", { hasText: /^\s*SimulationId\s*$/ }) });
  const rows = table.locator("tbody tr");
  let idColumn;

  await check("the simulations table lists the 3 fixture runs, newest StartTime first", async () => {
    const headers = (await table.locator("thead th").allTextContents()).map((text) => text.trim());
    for (const column of ["SimulationId", "Name", "Description", "StartTime", "EndTime", "Epochs", "Processes"]) {
      assert.ok(headers.includes(column), `table column ${column} (columns: ${headers.join(", ")})`);
    }
    idColumn = headers.indexOf("SimulationId");
    await page.waitForFunction(
      (count) => {
        const body = [...document.querySelectorAll("table")].find((t) =>
          [...t.querySelectorAll("thead th")].some((th) => th.textContent.trim() === "SimulationId"),
        );
        return body && body.querySelectorAll("tbody tr").length >= count;
      },
      expectedOrder.length,
    );
    const listed = [];
    for (const row of await rows.all()) {
      listed.push((await row.locator("td, th").nth(idColumn).textContent()).trim());
    }
    assert.deepEqual(listed, expectedOrder, "SimulationIds in the table, top to bottom");
  });

  await check(`picking run ${RUN_ID} fills its id into every query form`, async () => {
    const row = rows.filter({ has: page.getByRole("cell", { name: RUN_ID, exact: true }) });
    assert.equal(await row.count(), 1, `one table row for ${RUN_ID}`);
    await row.locator("button, a, input").first().click();
    const idInputs = page.locator("form input[name='simId']");
    const count = await idInputs.count();
    assert.ok(count >= 4, `a simId input in each of the 4 per-simulation forms (found ${count})`);
    for (let index = 0; index < count; index += 1) {
      assert.equal(await idInputs.nth(index).inputValue(), RUN_ID, `simId input #${index + 1}`);
    }
    // Every per-simulation form's live URL now carries the encoded id in its path.
    for (const form of await page.locator("form", { has: idInputs }).all()) {
      const shown = (await form.locator(".query-url").textContent()).trim();
      assert.ok(
        shown.includes(`simulations/${enc(RUN_ID)}`),
        `live URL ${JSON.stringify(shown)} contains simulations/${enc(RUN_ID)}`,
      );
    }
  });

  const tsForm = page.locator("form", { has: page.getByRole("heading", { name: /Time series/ }) });
  const attrs = "batteryState.chargePercentage,batteryState.capacity";
  const topic = "energy.storage.state";
  const tsRelative =
    `simulations/${enc(RUN_ID)}/timeseries?attrs=${enc(attrs)}&epoch=2&topic=${enc(topic)}&format=csv`;
  let tsUrl;

  await check("the time-series form shows the encodeURIComponent URL live", async () => {
    await tsForm.getByLabel("attrs", { exact: true }).fill(attrs);
    await tsForm.getByLabel("epoch", { exact: true }).fill("2");
    await tsForm.getByLabel("topic", { exact: true }).fill(topic);
    await tsForm.getByLabel("format", { exact: true }).selectOption("csv");
    tsUrl = (await tsForm.locator(".query-url").textContent()).trim();
    assertUrl(tsUrl, tsRelative, "time-series form");
    assert.ok(tsUrl.includes("attrs=batteryState.chargePercentage%2CbatteryState.capacity"), "comma encoded as %2C");
  });

  await check("opening the time-series query keeps it visible as the last-query link", async () => {
    const opened = context.waitForEvent("page").catch(() => null);
    await tsForm.getByRole("button", { name: "Open" }).click();
    const popup = await opened;
    assert.ok(popup, "Open opens the query in a new tab");
    await popup.close();
    const lastQuery = page.locator("#last-query");
    const href = await lastQuery.evaluate((link) => link.href);
    assert.equal(href, new URL(tsUrl, PAGE_URL).href, "last-query link target");
  });

  await check("following the built time-series link returns the fixture CSV", async () => {
    const href = await page.locator("#last-query").evaluate((link) => link.href);
    const reply = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
    }, href);
    assert.equal(reply.status, 200, `GET ${href}`);
    assert.match(reply.type ?? "", /^text\/csv/, "Content-Type of the CSV reply");
    assert.ok(reply.body.includes("\r\n"), "the server sends CRLF line ends");
    // Both sides are CRLF; normalise anyway so a difference shows as a cell, not a line end.
    const normalise = (text) => text.replace(/\r\n/g, "\n");
    assert.equal(normalise(reply.body), normalise(expectedCsv), "CSV body equals testGetTimeSeriesCsvForEpoch__result.csv");
    assert.equal(reply.body, expectedCsv, "CSV bytes (CRLF) equal the fixture file");
  });

  const msgForm = page.locator("form", { has: page.getByRole("heading", { name: /^Messages/ }) });
  const msgRelative = `simulations/${enc(RUN_ID)}/messages?topic=energy.%23`;

  await check("a topic with # is encoded as %23 in the messages-form URL", async () => {
    await msgForm.getByLabel("topic", { exact: true }).fill("energy.#");
    const shown = (await msgForm.locator(".query-url").textContent()).trim();
    assert.ok(shown.includes("topic=energy.%23"), `${JSON.stringify(shown)} contains topic=energy.%23`);
    assertUrl(shown, msgRelative, "messages form");
  });

  await check("opening the messages query navigates to it and returns the energy.# messages", async () => {
    const opened = context.waitForEvent("page");
    await msgForm.getByRole("button", { name: "Open" }).click();
    const popup = await opened;
    await popup.waitForLoadState("load");
    assert.equal(popup.url(), new URL(msgRelative, PAGE_URL).href, "URL of the new tab");
    const text = await popup.evaluate(() => document.body.innerText);
    await popup.close();
    const messages = JSON.parse(text.slice(text.indexOf("[")));
    assert.deepEqual(
      messages.map((message) => message.MessageId).sort(),
      expectedEnergyIds,
      "MessageIds in the new tab",
    );
  });

  await check("the page links to api.html and openapi.json, and both load", async () => {
    for (const target of ["api.html", "openapi.json"]) {
      const link = page.locator(`a[href="${target}"]`).first();
      assert.ok(await link.isVisible(), `a visible link to ${target}`);
      const href = await link.evaluate((element) => element.href);
      const status = await page.evaluate(async (url) => (await fetch(url)).status, href);
      assert.equal(status, 200, `GET ${href}`);
    }
  });

  await check(`screenshot saved to ${path.relative(REPO, SCREENSHOT)}`, async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  await checkBoard(page);

  await check("no uncaught script error on the page", async () => {
    assert.deepEqual(pageErrors, [], "uncaught page errors");
  });
} catch (error) {
  console.error(`not ok - ${error.message ?? error}`);
  if (error.stack && error.name !== "AssertionError") console.error(error.stack.split("\n").slice(1, 4).join("\n"));
  process.exitCode = 1;
} finally {
  await context.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (process.exitCode !== 1) console.log(`${passed} UI checks passed`);
process.exit(process.exitCode ?? 0);
