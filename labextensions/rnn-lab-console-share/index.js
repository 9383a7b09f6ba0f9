// Bundles @jupyterlab/console 4.3.4 and offers it to the page's shared modules (see package.json).
// JupyterLab itself keeps its own, newer copy: a singleton resolves to the highest version offered.
// The RISE slides page (/rise/...) offers none, so the ipywidgets manager, which needs it, loads ours.
import { ConsolePanel } from '@jupyterlab/console';

/** The keys a widget control uses to change its value; Space, Enter and the rest still drive the slides. */
const CONTROL_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** Whether a key event is a control key pressed on a widget control shown on RISE slides (in `.reveal`). */
function onSlideWidget(event) {
  return (
    CONTROL_KEYS.has(event.key) &&
    event.target instanceof Element &&
    event.target.closest('.reveal .jupyter-widgets') !== null
  );
}

/**
 * On RISE slides, a slider's arrow keys must move the slider only. JupyterLab's shortcuts see a key first
 * (on the document, capturing), and ArrowLeft/ArrowRight there jump to the previous/next heading, which
 * turns the slide; they skip a key whose default is already prevented, and the slider needs no default.
 */
function keepArrowsForSliders(event) {
  if (onSlideWidget(event) && event.target.getAttribute('role') === 'slider') {
    event.preventDefault();
  }
}

/** reveal.js sees a key last (on the document, bubbling): keep a control's keys from it. */
function keepKeysFromReveal(event) {
  if (onSlideWidget(event)) {
    event.stopPropagation();
  }
}

export default {
  id: 'rnn-lab-console-share:plugin',
  description: 'Offers @jupyterlab/console to the shared modules, so ipywidgets render on RISE slides.',
  autoStart: true,
  activate: () => {
    // Touch the import so that the bundler keeps it.
    void ConsolePanel;
    // The window sees a key before the document does (capturing); the body after the control, before the document.
    window.addEventListener('keydown', keepArrowsForSliders, true);
    document.body.addEventListener('keydown', keepKeysFromReveal);
  }
};
