// Bundles @jupyterlab/console 4.3.4 and offers it to the page's shared modules (see package.json).
// JupyterLab itself keeps its own, newer copy: a singleton resolves to the highest version offered.
// The RISE slides page (/rise/...) offers none, so the ipywidgets manager, which needs it, loads ours.
// A second plugin gives every picture of an output the alt text stored in its metadata, in JupyterLab and on
// the RISE page alike (JupyterLab 4.6.6's image renderer ignores it).
import { ConsolePanel } from '@jupyterlab/console';
// Not bundled: JupyterLab (and the RISE page) share their own copy, and the registry's token must be theirs.
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

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

/** The picture types whose renderer draws an <img>; an output may store each one's alt text in its metadata. */
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/svg+xml'];

/**
 * The alt text an output stores for one of its pictures (`{"image/png": {"alt": "..."}}`, as nbconvert reads it),
 * or null when it stores none.
 */
function storedAlt(metadata, mimeType) {
  const entry = metadata ? metadata[mimeType] : undefined;
  return entry && typeof entry === 'object' && typeof entry.alt === 'string' ? entry.alt : null;
}

/**
 * A renderer factory that renders as `factory` does, then gives the pictures it drew the output's stored alt text.
 * JupyterLab's own image and SVG renderers read the width and height of the metadata but not its alt.
 */
function withStoredAlt(factory) {
  return {
    ...factory,
    createRenderer: options => {
      const renderer = factory.createRenderer(options);
      const renderModel = renderer.renderModel.bind(renderer);
      renderer.renderModel = async (model, ...rest) => {
        await renderModel(model, ...rest);
        const alt = storedAlt(model.metadata, options.mimeType);
        if (alt !== null) {
          renderer.node.querySelectorAll('img').forEach(img => {
            img.alt = alt;
          });
        }
      };
      return renderer;
    }
  };
}

/** Each picture type's renderer, replaced by one that also sets the stored alt text, at the same rank. */
function renderStoredAlt(rendermime) {
  for (const mimeType of IMAGE_TYPES) {
    const factory = rendermime.getFactory(mimeType);
    if (factory) {
      rendermime.addFactory({ ...withStoredAlt(factory), mimeTypes: [mimeType] }, rendermime.getRank(mimeType));
    }
  }
}

const altText = {
  id: 'rnn-lab-console-share:alt-text',
  description: "Gives each picture of an output the alt text stored in the output's metadata.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app, rendermime) => {
    renderStoredAlt(rendermime);
  }
};

const consoleShare = {
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

export default [consoleShare, altText];
