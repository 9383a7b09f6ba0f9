// The page side of a slider view (helpers/views/page.py). The page keeps the view's pictures, decoded, by the
// controls' values; when a control moves it swaps the picture on show, with no message to the kernel and back.
// The kernel sends the pictures (the one on show, then those one step away, or all of them for a small view).
// A key is the controls' values as JSON: a slider's or checkbox's value, a menu's index.

function keep(pictures, key, url) {
  // Decoded now, while nothing waits, so that showing it later costs no decoding.
  if (pictures.has(key)) return;
  const picture = new Image();
  picture.src = url;
  picture.decode().catch(() => {});
  pictures.set(key, picture);
}

function swapper(img, pictures, keyNow) {
  // Show the picture for the controls' values now, if the page has it; say whether it did.
  // (img.dataset.key names the picture on show, .from whether it was in the page when asked for ("page") or came
  // from the kernel later ("kernel"), and .held how many the page holds: for the tests and make bench.)
  return (origin = "page") => {
    const key = keyNow();
    const picture = pictures.get(key);
    if (picture && img.src !== picture.src) {
      img.dataset.key = key;
      img.dataset.from = origin;
      img.src = picture.src;
    }
    img.dataset.held = pictures.size;
    return picture !== undefined;
  };
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
  const img = document.createElement("img");
  img.alt = model.get("alt");
  el.appendChild(img);
  const pictures = new Map();
  const start = model.get("start");
  keep(pictures, start.key, start.url);
  img.src = start.url;
  img.dataset.key = start.key;
  img.dataset.uid = model.get("uid");
  const kinds = model.get("kinds");
  const controls = await Promise.all(
    model.get("controls").map((ref) => model.widget_manager.get_model(ref.replace("IPY_MODEL_", ""))),
  );
  const show = swapper(img, pictures, () => JSON.stringify(controls.map((c, i) => c.get(kinds[i]))));
  const moved = () => show("page");
  const listeners = controls.map((control, i) => [control, `change:${kinds[i]}`]);
  for (const [control, event] of listeners) control.on(event, moved);
  const received = (msg) => {
    for (const [key, url] of Object.entries(msg.pictures || {})) keep(pictures, key, url);
    show("kernel");
  };
  model.on("msg:custom", received);
  const described = () => { img.alt = model.get("alt"); }; // the kernel's alt text for the values on show
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
  const img = document.createElement("img");
  img.alt = state.alt;
  const missing = document.createElement("p");
  missing.className = "rnn-static-missing";
  el.append(img, missing);
  const show = swapper(img, pictures, () => JSON.stringify(inputs.map(value)));
  const update = () => {
    for (const control of inputs) control.shown.textContent = control.spec.kind === "range" ? ` ${value(control)}` : "";
    const found = show();
    img.alt = (state.alts || {})[JSON.stringify(inputs.map(value))] || state.alt;
    img.style.opacity = found ? "1" : "0.3";
    missing.textContent = found ? "" : "This combination is not embedded in this page (see the note above).";
  };
  for (const { input } of inputs) input.addEventListener("input", update);
  update();
}

export default { render };
