// The page side of a slider view (helpers/views/page.py). The page keeps the view's pictures, decoded, by the
// controls' values, each as its own <img>; when a control moves it puts that <img> on show in place of the one
// there, with no message to the kernel and back.
// The kernel sends the pictures (the one on show, then those one step away, or all of them for a small view).
// A key is the controls' values as JSON: a slider's or checkbox's value, a menu's index.

function keep(pictures, key, url) {
  // An <img> decoded now, while nothing waits. That element itself goes on show (swapper), so that showing it costs
  // no decoding: setting the src of the <img> on show to a kept picture's data: URL made Chromium decode the
  // picture again (issue 27: 7 of 20 first shows of 01's pictures decoded anew, ~2 ms each, none this way).
  if (pictures.has(key)) return;
  const picture = new Image();
  picture.src = url;
  picture.decode().catch(() => {});
  pictures.set(key, picture);
}

function takeOver(picture, shown) {
  // The picture going on show takes every attribute of the one it replaces (alt, class, style, data-uid, and
  // whatever a tool set, such as make bench's elementtiming), its own src apart.
  for (const name of picture.getAttributeNames()) {
    if (name !== "src" && !shown.hasAttribute(name)) picture.removeAttribute(name);
  }
  for (const name of shown.getAttributeNames()) {
    if (name !== "src") picture.setAttribute(name, shown.getAttribute(name));
  }
}

function swapper(first, pictures, keyNow) {
  // show(): put the picture for the controls' values on show now, in place of the one there, if the page has it;
  // say whether it did. show.shown() is the <img> on show. (Its data-key names the picture on show, data-from
  // whether it was in the page when asked for ("page") or came from the kernel later ("kernel"), and data-held how
  // many the page holds: for the tests and make bench, which look for the view's <img> each time.)
  let shown = first;
  const show = (origin = "page") => {
    const key = keyNow();
    const picture = pictures.get(key);
    if (picture && picture !== shown) {
      takeOver(picture, shown);
      picture.dataset.key = key;
      picture.dataset.from = origin;
      shown.replaceWith(picture);
      shown = picture;
    }
    shown.dataset.held = pictures.size;
    return picture !== undefined;
  };
  show.shown = () => shown;
  return show;
}

// --- the keyboard (issue 29): a view's menu and toggle buttons move with the arrow keys, as its sliders do ------
// A focused <select> or <button> keeps no arrow key from the page: in JupyterLab the notebook's command mode takes
// ArrowUp/ArrowDown to the next cell (the focus leaves the view), and on slides (RISE, or a static deck) the arrows
// turn the slide. The window sees a key first (capturing), so a view steps its own choice there and the key goes
// no further. Sliders (noUiSlider, range inputs) and checkboxes (Space) keep their own keys.

const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
const VIEW = ".rnn-slider-view, .rnn-static-view";

function stepChoice(event) {
  const step = STEPS[event.key];
  const target = event.target;
  if (!step || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (!(target instanceof Element) || target.closest(VIEW) === null || target.disabled) return;
  if (target.matches("select")) {
    // A menu: the next or previous option, stopping at the ends (as a slider does).
    const index = Math.min(Math.max(target.selectedIndex + step, 0), target.options.length - 1);
    if (index !== target.selectedIndex) {
      target.selectedIndex = index;
      for (const type of ["input", "change"]) target.dispatchEvent(new Event(type, { bubbles: true }));
    }
  } else if (target.matches(".widget-toggle-button")) {
    // Toggle buttons: the option after or before the chosen one is chosen (a click, as ipywidgets hears it), and
    // the focus goes with it.
    const buttons = [...target.parentElement.querySelectorAll(".widget-toggle-button:not([disabled])")];
    const chosen = buttons.findIndex((b) => b.classList.contains("mod-active"));
    const from = chosen < 0 ? buttons.indexOf(target) : chosen;
    const next = buttons[Math.min(Math.max(from + step, 0), buttons.length - 1)];
    if (!next.classList.contains("mod-active")) next.click();
    next.focus();
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}

if (!window.rnnViewKeys) {
  // Once per page, however many views (and copies of this module) it shows.
  window.rnnViewKeys = true;
  window.addEventListener("keydown", stepChoice, true);
}

// --- in JupyterLab and on live slides (anywidget): the controls are ipywidgets models ---------------------

async function render({ model, el }) {
  const pictures = new Map();
  const start = model.get("start");
  keep(pictures, start.key, start.url);
  const first = pictures.get(start.key);
  first.alt = model.get("alt");
  first.dataset.key = start.key;
  first.dataset.uid = model.get("uid");
  el.appendChild(first);
  const kinds = model.get("kinds");
  const controls = await Promise.all(
    model.get("controls").map((ref) => model.widget_manager.get_model(ref.replace("IPY_MODEL_", ""))),
  );
  const show = swapper(first, pictures, () => JSON.stringify(controls.map((c, i) => c.get(kinds[i]))));
  const moved = () => show("page");
  const listeners = controls.map((control, i) => [control, `change:${kinds[i]}`]);
  for (const [control, event] of listeners) control.on(event, moved);
  const received = (msg) => {
    for (const [key, url] of Object.entries(msg.pictures || {})) keep(pictures, key, url);
    show("kernel");
  };
  model.on("msg:custom", received);
  const described = () => { show.shown().alt = model.get("alt"); }; // the kernel's alt text for the values on show
  model.on("change:alt", described);
  show();
  model.send({ hello: true }); // a new page: the kernel sends what it has drawn, then draws ahead
  return () => {
    for (const [control, event] of listeners) control.off(event, moved);
    model.off("msg:custom", received);
    model.off("change:alt", described);
  };
}

// --- in a static page (make html, make slides): no kernel; plain inputs and the pictures embedded ---------

function renderStatic(el, state) {
  const pictures = new Map();
  for (const [key, url] of Object.entries(state.pictures)) keep(pictures, key, url);
  const inputs = state.controls.map((spec) => {
    const label = document.createElement("label");
    label.className = "rnn-static-control";
    label.append(spec.label + " ");
    let input;
    if (spec.kind === "select") {
      input = document.createElement("select");
      spec.options.forEach((text, i) => input.add(new Option(text, String(i), false, i === spec.value)));
    } else {
      input = document.createElement("input");
      input.type = spec.kind === "checkbox" ? "checkbox" : "range";
      if (spec.kind === "checkbox") input.checked = spec.value;
      else Object.assign(input, { min: spec.min, max: spec.max, step: spec.step, value: spec.value });
    }
    const shown = document.createElement("output");
    label.append(input, shown);
    el.appendChild(label);
    return { spec, input, shown };
  });
  const value = ({ spec, input }) =>
    spec.kind === "checkbox" ? input.checked : spec.kind === "select" ? input.selectedIndex : Number(input.value);
  // The first picture on show: the one at the starting values (an empty <img> if the page lacks it).
  const startKey = JSON.stringify(inputs.map(value));
  const first = pictures.get(startKey) || document.createElement("img");
  if (pictures.has(startKey)) first.dataset.key = startKey;
  first.alt = state.alt;
  const missing = document.createElement("p");
  missing.className = "rnn-static-missing";
  el.append(first, missing);
  const show = swapper(first, pictures, () => JSON.stringify(inputs.map(value)));
  const update = () => {
    for (const control of inputs) control.shown.textContent = control.spec.kind === "range" ? ` ${value(control)}` : "";
    const found = show();
    const img = show.shown();
    img.alt = (state.alts || {})[JSON.stringify(inputs.map(value))] || state.alt;
    img.style.opacity = found ? "1" : "0.3";
    missing.textContent = found ? "" : "This combination is not embedded in this page (see the note above).";
  };
  for (const { input } of inputs) input.addEventListener("input", update);
  update();
}

export default { render };
