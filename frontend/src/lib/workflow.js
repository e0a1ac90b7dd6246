// The officers' actions offered for an application's state (permits.workflow): only a
// convenience, since the API decides and answers 409 when another officer acted first.

// gettext_noop: marked for makemessages; translated where shown (gettext(label)).
const gettext_noop = (s) => s;
const REASON = { name: 'reason', label: gettext_noop('Motiv / mențiuni'), type: 'textarea' };

const TAKE = { path: 'take-in-review', label: gettext_noop('Preia în analiză'), fields: [] };
const COMPLETION = {
  path: 'request-completion',
  label: gettext_noop('Solicită completarea'),
  fields: [
    { ...REASON, label: gettext_noop('Ce lipsește (text pentru solicitant)'), required: true },
    { name: 'missing', label: gettext_noop('Documente lipsă (separate prin ;)'), type: 'lines' },
  ],
};
const RESUME = { path: 'complete', label: gettext_noop('Reia analiza (documentație completată)'), fields: [REASON] };
const ISSUE = {
  path: 'issue',
  label: gettext_noop('Emite actul'),
  fields: [{ name: 'validity_months', label: gettext_noop('Valabilitate (luni)'), type: 'number', min: 1, max: 120 }, REASON],
};
const REJECT = { path: 'reject', label: gettext_noop('Respinge'), fields: [{ ...REASON, label: gettext_noop('Motivul respingerii'), required: true }] };
const EXTEND = {
  path: 'extend',
  label: gettext_noop('Prelungește valabilitatea'),
  fields: [{ name: 'months', label: gettext_noop('Luni'), type: 'number', min: 1, max: 24, required: true }, REASON],
};
const REASSEMBLE = { path: 'reassemble', label: gettext_noop('Reanalizează și generează dosarul'), fields: [] };
const WITHDRAW = { path: 'withdraw', label: gettext_noop('Înregistrează retragerea'), fields: [REASON] };

export const ACTION_LABELS = [TAKE, COMPLETION, RESUME, ISSUE, REJECT, EXTEND, REASSEMBLE, WITHDRAW].map((a) => a.label);

const BY_STATE = {
  registered: [TAKE, WITHDRAW],
  in_review: [COMPLETION, ISSUE, REJECT, WITHDRAW],
  completion_requested: [RESUME, WITHDRAW],
  issued: [EXTEND],
};

/** Actions for the application as the API returned it. */
export function availableActions(app) {
  const actions = [...(BY_STATE[app.state] || [])];
  const builds = (app.dossiers && app.dossiers.length) || app.assembly;
  if (builds && app.state !== 'draft' && app.state !== 'withdrawn') actions.push(REASSEMBLE);
  if (app.state === 'issued' && app.act && app.act.extended_until) actions.splice(actions.indexOf(EXTEND), 1);
  return actions;
}
