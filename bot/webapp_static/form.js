// The form in Telegram: a department's tables, live checks by the bot's own rules, and saving.
// No framework and no build step. Everything the page says comes from the server, in the person's
// language; what people type is only ever set as text, never as markup.
"use strict";

(function () {
  const TEXTS = JSON.parse(document.getElementById("texts").textContent);
  const CHECK_AFTER_MS = 400; // a pause in typing, then the server checks what changed
  const $ = (id) => document.getElementById(id);
  const state = {
    lang: "zh",
    form: null,
    inputs: new Map(), // field id -> <input> or <textarea>
    computed: new Map(), // field id -> <output> of a total the report computes
    baseline: new Map(), // field id -> the saved value the field was shown with
    seen: {}, // field id -> its version when shown (a colleague's later change is not overwritten)
    checks: 0,
    timer: 0,
    saving: false,
    confirmClose: null, // what Telegram was last told about closing with unsaved edits
  };
  const initData = readInitData();
  state.lang = claimedLanguage(initData);
  const wantedCycle = new URLSearchParams(window.location.search).get("cycle");

  // Telegram ------------------------------------------------------------------------------------------
  function readInitData() {
    // Telegram's own script, when a client provides it; otherwise the fragment the client opens us with.
    const app = window.Telegram && window.Telegram.WebApp;
    if (app && typeof app.initData === "string" && app.initData) return app.initData;
    return new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData") || "";
  }

  function claimedLanguage(data) {
    // Only to choose the words shown before the server answers; the server decides from then on.
    try {
      const user = JSON.parse(new URLSearchParams(data).get("user") || "{}");
      return String(user.language_code || "").toLowerCase().startsWith("en") ? "en" : "zh";
    } catch (error) {
      return "zh";
    }
  }

  function tell(event, data) {
    // The Mini App events (ready, expand, closing confirmation) without Telegram's script: its
    // documented transports, the native clients' proxy and the web clients' parent frame.
    const payload = data === undefined ? "" : data;
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(event, JSON.stringify(payload));
      else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: event, eventData: payload }), "*");
      }
    } catch (error) {
      // not inside Telegram: nothing to tell
    }
  }

  function applyTheme() {
    // Telegram's colours, so the form looks like the rest of the app.
    let theme = {};
    const app = window.Telegram && window.Telegram.WebApp;
    try {
      theme = (app && app.themeParams) ||
        JSON.parse(new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppThemeParams") || "{}");
    } catch (error) {
      theme = {};
    }
    for (const [key, value] of Object.entries(theme)) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(String(value))) {
        document.documentElement.style.setProperty("--tg-" + key.replace(/_/g, "-"), value);
      }
    }
  }

  // Words and calls ------------------------------------------------------------------------------------
  function text(key, params) {
    let words = (TEXTS[state.lang] || TEXTS.zh)[key] || key;
    for (const [name, value] of Object.entries(params || {})) {
      words = words.split("{" + name + "}").join(String(value));
    }
    return words;
  }

  function element(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "tma " + initData },
        body: JSON.stringify(Object.assign({ cycle: state.form ? state.form.cycle : wantedCycle }, body)),
      });
    } catch (error) {
      throw new Error(text("offline"));
    }
    const data = await response.json().catch(() => null);
    if (!response.ok || !data) throw new Error((data && data.error) || text("offline"));
    return data;
  }

  function notice(message, kind) {
    const box = $("notice");
    box.textContent = message || "";
    box.className = kind || "";
    box.hidden = !message;
  }

  // Drawing the form ------------------------------------------------------------------------------------
  function render(form) {
    state.form = form;
    state.lang = form.lang;
    document.documentElement.lang = form.lang === "en" ? "en" : "zh-CN";
    document.title = form.title;
    $("title").textContent = form.title;
    state.inputs.clear();
    state.computed.clear();
    state.baseline.clear();
    state.seen = {};
    $("sections").replaceChildren(...form.sections.map(renderSection));
    showChecks(form, []);
    updateStatus();
  }

  function renderSection(section) {
    const box = element("section", "section");
    box.dataset.section = section.id;
    const heading = element("h2");
    const badge = element("span", "state");
    badge.textContent = section.state;
    heading.append(section.title, " ", badge);
    box.append(heading);
    if (section.note) {
      const note = element("p", "note");
      note.textContent = section.note;
      box.append(note);
    }
    for (const block of section.blocks) {
      if (block.kind === "heading") {
        const sub = element("h3");
        sub.textContent = block.text;
        box.append(sub);
      } else if (block.kind === "table") {
        box.append(renderTable(block, section.locked));
      } else {
        for (const id of block.fields) box.append(renderField(id, block.kind, section.locked));
      }
    }
    return box;
  }

  function renderTable(block, locked) {
    const wrap = element("div", "table-wrap");
    const table = element("table", "grid");
    if (block.caption) {
      const caption = element("caption");
      caption.textContent = block.caption;
      table.append(caption);
    }
    for (const row of block.rows) {
      const line = element("tr");
      for (const cell of row) {
        const head = cell.kind === "header" || cell.kind === "title";
        const node = element(head ? "th" : "td", cell.kind);
        if (cell.rowspan > 1) node.rowSpan = cell.rowspan;
        if (cell.colspan > 1) node.colSpan = cell.colspan;
        if (cell.kind === "figure") fillCell(node, cell.field, locked);
        else node.textContent = cell.text;
        line.append(node);
      }
      table.append(line);
    }
    wrap.append(table);
    return wrap;
  }

  function fillCell(node, id, locked) {
    const field = state.form.fields[id];
    node.dataset.field = id;
    node.append(field.computed ? output(id, field) : input(id, field, locked));
    if (field.previous !== "") {
      const previous = element("span", "previous");
      previous.textContent = text("last_year", { value: field.previous });
      node.append(previous);
    }
  }

  function renderField(id, kind, locked) {
    const field = state.form.fields[id];
    const row = element("div", "field " + kind);
    row.dataset.field = id;
    const label = element("label");
    label.textContent = field.label + (field.unit ? "（" + field.unit + "）" : "");
    label.htmlFor = "f-" + id;
    row.append(label);
    if (field.hint) {
      const hint = element("p", "hint");
      hint.textContent = field.hint;
      row.append(hint);
    }
    fillCell(row, id, locked);
    return row;
  }

  function output(id, field) {
    const box = element("output", "computed");
    box.textContent = field.value;
    box.title = text("computed");
    state.computed.set(id, box);
    return box;
  }

  function input(id, field, locked) {
    const numeric = field.type === "integer" || field.type === "decimal";
    const box = element(numeric ? "input" : "textarea");
    if (numeric) {
      box.type = "text";
      box.inputMode = field.type === "decimal" ? "decimal" : "numeric";
      box.autocomplete = "off";
    } else {
      box.rows = 6;
    }
    box.id = "f-" + id;
    box.value = field.value;
    box.dataset.field = id;
    box.title = field.label;
    box.setAttribute("aria-label", field.label);
    box.disabled = locked;
    box.addEventListener("input", changed);
    state.inputs.set(id, box);
    state.baseline.set(id, field.value);
    state.seen[id] = field.version;
    return box;
  }

  // Checks as people type ----------------------------------------------------------------------------
  function edits() {
    // What differs from the saved answers; an emptied field is not an answer (nothing is deleted).
    const values = {};
    for (const [id, box] of state.inputs) {
      if (!box.disabled && box.value.trim() !== "" && box.value !== state.baseline.get(id)) values[id] = box.value;
    }
    return values;
  }

  function seenFor(values) {
    return Object.fromEntries(Object.keys(values).map((id) => [id, state.seen[id] || 0]));
  }

  function changed() {
    updateStatus();
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(check, CHECK_AFTER_MS);
  }

  async function check() {
    const values = edits();
    const number = ++state.checks;
    $("status").textContent = text("checking");
    try {
      const result = await api("api/check", { values: values, seen: seenFor(values) });
      if (number === state.checks) showChecks(result, result.problems);
    } catch (error) {
      if (number === state.checks) notice(error.message, "error");
    }
    if (number === state.checks) updateStatus();
  }

  function cellOf(id) {
    return document.querySelector('[data-field="' + CSS.escape(id) + '"]:not(input):not(textarea)');
  }

  function showChecks(result, problems) {
    for (const node of document.querySelectorAll(".problem")) node.remove();
    for (const node of document.querySelectorAll(".bad, .flag-error, .flag-warning")) {
      node.classList.remove("bad", "flag-error", "flag-warning");
      node.removeAttribute("title");
    }
    for (const [id, value] of Object.entries(result.computed || {})) {
      const box = state.computed.get(id);
      if (box) box.textContent = value;
    }
    const panel = $("checks");
    panel.replaceChildren();
    const loose = [];
    for (const problem of problems) {
      const cell = problem.field ? cellOf(problem.field) : null;
      if (!cell) {
        loose.push(problem.text);
        continue;
      }
      cell.classList.add("bad");
      cell.title = problem.text;
      if (cell.tagName !== "TD") { // in a table the list below says it; a cell stays a cell
        const note = element("span", "problem");
        note.textContent = problem.text;
        cell.append(note);
      }
    }
    const errors = result.findings.filter((finding) => finding.severity === "error");
    const warnings = result.findings.filter((finding) => finding.severity !== "error");
    list(panel, "typed", text("typed"), problems.map((problem) => problem.text));
    list(panel, "errors", text("errors"), errors.map((finding) => finding.text));
    list(panel, "warnings", text("warnings"), warnings.map((finding) => finding.text));
    if (!problems.length && !result.findings.length && !loose.length) {
      const good = element("p", "good");
      good.textContent = "✓ " + text("all_good");
      panel.append(good);
    }
    for (const finding of result.findings) {
      for (const id of finding.fields) {
        const cell = cellOf(id);
        if (cell) cell.classList.add(finding.severity === "error" ? "flag-error" : "flag-warning");
      }
    }
  }

  function list(panel, className, title, lines) {
    if (!lines.length) return;
    const box = element("div", className);
    const heading = element("h4");
    heading.textContent = title;
    const items = element("ul");
    for (const line of lines) {
      const item = element("li");
      item.textContent = line;
      items.append(item);
    }
    box.append(heading, items);
    panel.append(box);
  }

  function updateStatus() {
    const count = Object.keys(edits()).length;
    $("status").textContent = !state.form ? "" : count === 0 ? text("all_saved")
      : count === 1 ? text("unsaved_one") : text("unsaved_many", { count: count });
    const button = $("save");
    button.textContent = state.saving ? text("saving") : text("save");
    button.disabled = state.saving || count === 0;
    if (state.confirmClose !== count > 0) { // Telegram asks before closing while edits are unsaved
      state.confirmClose = count > 0;
      tell("web_app_setup_closing_behavior", { need_confirmation: state.confirmClose });
    }
  }

  // Saving -------------------------------------------------------------------------------------------
  async function save() {
    const values = edits();
    if (state.saving || !Object.keys(values).length) return;
    window.clearTimeout(state.timer);
    state.checks++; // a check still on its way describes the form before this save
    state.saving = true;
    updateStatus();
    try {
      const result = await api("api/save", { values: values, seen: seenFor(values) });
      render(result.form);
      for (const [id, value] of Object.entries(values)) {
        const box = state.inputs.get(id);
        if (!result.saved.includes(id) && box && !box.disabled) box.value = value; // kept to correct
      }
      showChecks(result.form, result.problems);
      notice(result.message, result.problems.length ? "warn" : "ok");
    } catch (error) {
      notice(error.message, "error");
    } finally {
      state.saving = false;
      updateStatus();
    }
  }

  async function start() {
    applyTheme();
    tell("web_app_ready");
    tell("web_app_expand");
    $("save").textContent = text("save");
    $("save").addEventListener("click", save);
    if (!initData) {
      notice(text("outside_chat"), "error");
      return;
    }
    $("status").textContent = text("loading");
    try {
      render(await api("api/form", {}));
    } catch (error) {
      $("status").textContent = "";
      notice(error.message, "error");
    }
  }

  start();
})();
