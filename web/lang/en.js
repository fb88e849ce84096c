// en.js: the page's words in English (keys: see js/i18n.js). One section per
// part of the page; the same keys, in the same order, in every language's table.
export default {
  // -- the page's frame
  'lang.label': 'Language',
};
