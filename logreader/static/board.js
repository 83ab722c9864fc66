// LogReader run health board: draws GET simulations/{simId}/board as a grid (processes as
// rows, epochs as columns) and a process's change log (GET …/processes/{processId}) beside
// it. The run is the page's `simId` query parameter; URLs are relative to the page, like
// the main page's.
"use strict";

const KNOWN_STATUSES = ["ready", "error", "silent"];

const simId = new URLSearchParams(location.search).get("simId");
const runPath = "simulations/" + encodeURIComponent(simId ?? "");

/** The CSS class of a status: one colour per status (docs/spec/logreader.md §12). */
function statusClass(status) {
  if (status === null || status === undefined) return "status-none";
  return KNOWN_STATUSES.includes(status) ? "status-" + status : "status-other";
}

function showError(title, description) {
  const box = document.getElementById("board-error");
  box.textContent = "";
  const strong = document.createElement("strong");
  strong.textContent = title;
  box.append(strong, " ", description);
  box.hidden = false;
}

/** GETs a relative URL as JSON; shows the API's error body and returns null on failure. */
async function getJson(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (response.ok) return body;
    showError(body?.title ?? "Error " + response.status, body?.description ?? "");
  } catch (error) {
    showError("Request failed.", String(error));
  }
  return null;
}

function messagesUrl(process, epoch) {
  return runPath + "/messages?process=" + encodeURIComponent(process) + "&epoch=" + epoch;
}

function gridCell(row, process, epoch, index) {
  const status = process.Statuses[index];
  const messages = process.Messages[index];
  const warnings = process.Warnings[index];
  const td = row.insertCell();
  td.className = statusClass(status);
  td.dataset.epoch = String(epoch);
  td.dataset.status = status ?? "";
  td.dataset.warnings = String(warnings);
  const link = document.createElement("a");
  link.href = messagesUrl(process.ProcessId, epoch);
  link.textContent = (status ?? "·") + (warnings > 0 ? " ⚠" : "");
  link.title = `${process.ProcessId}, epoch ${epoch}: ${status ?? "no status"}, ` +
    `${messages} message(s), ${warnings} with warnings`;
  td.append(link);
}

function renderGrid(grid) {
  const head = document.querySelector("#board-grid thead tr");
  for (const epoch of grid.Epochs) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = String(epoch);
    head.append(th);
  }
  const body = document.querySelector("#board-grid tbody");
  for (const process of grid.Processes) {
    const row = body.insertRow();
    row.dataset.process = process.ProcessId;
    const th = document.createElement("th");
    th.scope = "row";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "process";
    button.textContent = process.ProcessId;
    button.setAttribute("aria-label", "Change log of " + process.ProcessId);
    button.addEventListener("click", () => showChangeLog(process.ProcessId));
    th.append(button);
    row.append(th);
    grid.Epochs.forEach((epoch, index) => gridCell(row, process, epoch, index));
  }
  document.getElementById("board-status").textContent =
    `${grid.Processes.length} process(es), ${grid.Epochs.length} epoch(s).`;
}

async function showChangeLog(processId) {
  const aside = document.getElementById("change-log");
  const status = document.getElementById("change-log-status");
  const table = aside.querySelector("table");
  document.getElementById("change-log-title").textContent = "Change log of " + processId;
  status.textContent = "Loading…";
  const detail = await getJson(runPath + "/processes/" + encodeURIComponent(processId));
  if (!detail) {
    status.textContent = "Not available.";
    return;
  }
  const body = table.querySelector("tbody");
  body.textContent = "";
  for (const change of detail.Changes) {
    const row = body.insertRow();
    row.className = statusClass(change.Status);
    const warnings = change.Warnings ? change.Warnings.join(", ") : "";
    for (const value of [change.EpochNumber, change.Timestamp, change.Status, change.MessageId, change.Description, warnings]) {
      row.insertCell().textContent = value === undefined || value === null ? "" : String(value);
    }
  }
  status.textContent = `Now ${detail.Status ?? "no status"}; ${detail.Changes.length} change(s).`;
  table.hidden = false;
}

async function load() {
  if (simId === null) {
    showError("No simulation.", "Open this page from the simulations list (board.html?simId=…).");
    return;
  }
  document.getElementById("board-run").textContent = simId;
  document.title = "Board of " + simId + " · LogReader";
  const grid = await getJson(runPath + "/board");
  if (grid) renderGrid(grid);
}

load();
