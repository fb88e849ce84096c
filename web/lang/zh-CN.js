// zh-CN.js: the page's words in Simplified Chinese, key for key as en.js.
// Terms a Chinese textbook keeps as symbols stay symbols: D(x), G(z), FD, Adam, MNIST.
export default {
  // -- the page's frame
  'lang.label': '语言',
};
