// LogReader UI: lists simulations and builds query URLs for every endpoint.
// Every URL is relative to this page's directory, so the UI also works behind a path
// prefix when it is served at a URL ending in "/".
"use strict";

/** Builds "path?name=value&…" from a form, leaving blank fields out. */
function buildUrl(form) {
  let path = form.dataset.path;
  const query = [];
  for (const field of form.elements) {
    if (!field.name) continue;
    const value = field.type === "checkbox" ? (field.checked ? field.value : "") : field.value;
    if (field.hasAttribute("data-path-param")) {
      path = path.replace("{" + field.name + "}", encodeURIComponent(value));
    } else if (value !== "") {
      query.push(encodeURIComponent(field.name) + "=" + encodeURIComponent(value));
    }
  }
  return query.length ? path + "?" + query.join("&") : path;
}

/** The absolute form of a relative URL, resolved against the page. */
function absolute(relative) {
  return new URL(relative, document.baseURI).href;
}

function refreshUrl(form) {
  form.querySelector(".query-url").textContent = absolute(buildUrl(form));
}

function showLastQuery(url) {
  const link = document.getElementById("last-query");
  link.href = url;
  link.textContent = url;
}

async function copyText(text) {
  const status = document.getElementById("copy-status");
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied: " + text;
  } catch (error) {
    status.textContent = "Copy failed; select the URL text and copy it manually.";
  }
}

function setupQueryForms() {
  for (const form of document.querySelectorAll("form.query")) {
    form.addEventListener("input", () => refreshUrl(form));
    form.addEventListener("change", () => refreshUrl(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const url = absolute(buildUrl(form));
      showLastQuery(url);
      window.open(url, "_blank", "noopener");
    });
    form.querySelector(".copy").addEventListener("click", () => copyText(absolute(buildUrl(form))));
    refreshUrl(form);
  }
}

/** Fills the simulation id into every form. */
function selectSimulation(id) {
  for (const input of document.querySelectorAll("input[name='simId']")) {
    input.value = id;
    refreshUrl(input.form);
  }
  document.getElementById("selected-simulation").textContent = id;
}

function showError(title, description) {
  const box = document.getElementById("simulation-error");
  box.textContent = "";
  const strong = document.createElement("strong");
  strong.textContent = title;
  box.append(strong, " ", description);
  box.hidden = false;
}

function cell(row, value) {
  const td = row.insertCell();
  if (value === undefined || value === null) return;
  td.textContent = Array.isArray(value) ? value.join(", ") : String(value);
}

function renderSimulations(simulations) {
  const body = document.querySelector("#simulation-table tbody");
  body.textContent = "";
  // Newest StartTime first; the API returns the collection's natural order.
  simulations.sort((a, b) => (Date.parse(b.StartTime) || 0) - (Date.parse(a.StartTime) || 0));
  for (const simulation of simulations) {
    const row = body.insertRow();
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Select";
    button.setAttribute("aria-label", "Select simulation " + simulation.SimulationId);
    button.addEventListener("click", () => selectSimulation(String(simulation.SimulationId ?? "")));
    row.insertCell().append(button);
    for (const key of ["SimulationId", "Name", "Description", "StartTime", "EndTime", "Epochs", "Processes", "Messages", "InvalidMessages"]) {
      cell(row, simulation[key]);
    }
    const board = document.createElement("a");
    board.href = "board.html?simId=" + encodeURIComponent(String(simulation.SimulationId ?? ""));
    board.textContent = "Board";
    board.setAttribute("aria-label", "Run health board of " + simulation.SimulationId);
    row.insertCell().append(board);
  }
  document.getElementById("simulation-status").textContent = simulations.length + " simulation(s).";
}

async function loadSimulations() {
  const form = document.getElementById("simulation-filter");
  document.getElementById("simulation-error").hidden = true;
  const query = [];
  for (const name of ["fromDate", "toDate"]) {
    const value = form.elements[name].value;
    if (value !== "") query.push(name + "=" + encodeURIComponent(value));
  }
  const url = query.length ? "simulations?" + query.join("&") : "simulations";
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      showError(body?.title ?? "Error " + response.status, body?.description ?? "");
      return;
    }
    renderSimulations(body);
  } catch (error) {
    showError("Request failed.", String(error));
  }
}

document.getElementById("simulation-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  loadSimulations();
});
setupQueryForms();
loadSimulations();
