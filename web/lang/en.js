// en.js: the page's words in English (keys: see js/i18n.js). One section per
// part of the page; the same keys, in the same order, in every language's table.
export default {
  // -- the page's frame
  'lang.label': 'Language',

  // -- h-present
  'present.pace': 'Slow motion: seconds per part',
  'present.pace_value': '{s} s',
  'present.pace_refused': 'The pace “{value}” in the link was refused: it must be between {min} and {max} seconds per part; the pace is unchanged.',
  'present.round_slow': 'One round, slowly',
  'present.lesson': 'Lesson',
};
