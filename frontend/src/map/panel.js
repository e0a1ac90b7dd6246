// Side panel: tabs (keyboard: arrows move between tabs) and the phone-size toggle.

import { h } from '../lib/dom.js';

/** A tab and its pane added by the script (for tabs only some users get); call it before
 * setupTabs. Returns the pane. */
export function addTab(panel, { id, paneId, label }) {
  panel.querySelector('[role=tablist]').append(
    h('button', { role: 'tab', type: 'button', id, 'aria-controls': paneId, 'aria-selected': 'false' }, label),
  );
  const pane = h('section', { id: paneId, role: 'tabpanel', 'aria-labelledby': id, hidden: true });
  panel.append(pane);
  return pane;
}

export function setupTabs(panel) {
  const tabs = [...panel.querySelectorAll('[role=tab]')];
  function select(tab) {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !selected;
    }
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const delta = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (delta) {
        const next = tabs[(i + delta + tabs.length) % tabs.length];
        select(next);
        next.focus();
      }
    });
  });
  select(tabs.find((t) => t.getAttribute('aria-selected') === 'true') || tabs[0]);
  return (id) => select(document.getElementById(id));
}

export function setupPanelToggle(button, panel, map) {
  const narrow = window.matchMedia('(max-width: 700px)');
  const set = (open) => {
    panel.classList.toggle('closed', !open);
    button.setAttribute('aria-expanded', String(open));
    setTimeout(() => map.updateSize(), 0);
  };
  button.addEventListener('click', () => set(panel.classList.contains('closed')));
  return { open: () => set(true), narrow };
}
