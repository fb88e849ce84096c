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
  // -- h-overview
  'overview.figure.2d': 'The model: noise z goes into G, which makes fakes G(z); D judges them and the real points x; D’s loss and G’s loss.',
  'overview.figure.image': 'The model, with the shapes of its tensors in one training step.',
  'overview.hint.2d': 'Point at a part (or tab to it, or tap it) to pick it out in the plane. D shows its mean verdicts D(x) and D(G(z)). Dots carry the data along as rounds run; orange dots carry gradients back.',
  'overview.hint.image': 'The tensors of one training step and their shapes (batch × …). Dots carry the data along as steps run; orange dots carry gradients back.',
  'overview.z': 'z',
  'overview.y': 'y',
  'overview.g': 'G',
  'overview.fake': 'G(z)',
  'overview.real': 'real x',
  'overview.d': 'D',
  'overview.dloss': 'D’s loss',
  'overview.gloss': 'G’s loss',
  'overview.name.z': 'Noise z',
  'overview.name.y': 'Class label y',
  'overview.name.g': 'Generator G',
  'overview.name.fake': 'Fakes G(z)',
  'overview.name.real': 'Real data x',
  'overview.name.d': 'Discriminator D',
  'overview.name.dloss': 'D’s loss',
  'overview.name.gloss': 'G’s loss',
  'overview.dstep': 'D step {n}',
  'overview.gstep': 'G step {n}',
  'overview.nodstep': 'no D step yet',
  'overview.nogstep': 'no G step yet',
  'overview.scalar': 'scalar',
  'overview.out': 'out {out}',
  'overview.out.acgan': 'out {out} + {classes}',
  'overview.nod': 'not in this file',
};
