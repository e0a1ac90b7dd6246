// Strings that reach gettext() as data (registry layer titles and groups, land-use and
// building labels, road sides and bands, intravilan status): listed here only so that
// `makemessages -d djangojs` extracts them into the catalogue.

export const gettext_noop = (s) => s;

export const DATA_MSGIDS = [
  // layer registry groups and titles (layers/migrations/0005_seed_layer_registry.py)
  gettext_noop('Cadastru'),
  gettext_noop('Drumuri județene'),
  gettext_noop('Urbanism'),
  gettext_noop('Restricții'),
  gettext_noop('Fundal'),
  gettext_noop('Ortofotoplan'),
  gettext_noop('Unități administrativ-teritoriale'),
  gettext_noop('Intravilan'),
  gettext_noop('PUG – unități teritoriale de referință'),
  gettext_noop('Zona drumului județean'),
  gettext_noop('Parcele (imobile)'),
  gettext_noop('Construcții'),
  // road sides and bands
  gettext_noop('stânga'),
  gettext_noop('dreapta'),
  gettext_noop('ampriză'),
  gettext_noop('zonă de siguranță'),
  gettext_noop('zonă de protecție'),
  // intravilan status
  gettext_noop('intravilan'),
  gettext_noop('extravilan'),
  gettext_noop('parțial intravilan'),
  // application states (permits.workflow.State)
  gettext_noop('ciornă'),
  gettext_noop('depusă'),
  gettext_noop('înregistrată'),
  gettext_noop('respinsă'),
  gettext_noop('retrasă'),
  // land-use categories and building destinations
  gettext_noop('arabil'),
  gettext_noop('pășune'),
  gettext_noop('fâneață'),
  gettext_noop('vie'),
  gettext_noop('livadă'),
  gettext_noop('pădure'),
  gettext_noop('ape curgătoare'),
  gettext_noop('ape stătătoare'),
  gettext_noop('curți-construcții'),
  gettext_noop('drum'),
  gettext_noop('căi ferate'),
  gettext_noop('neproductiv'),
  gettext_noop('locuință'),
  gettext_noop('anexă'),
  gettext_noop('administrativ / social-cultural'),
  gettext_noop('industrial / edilitar'),
];
