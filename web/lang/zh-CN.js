// zh-CN.js: the page's words in Simplified Chinese, key for key as en.js.
// Terms a Chinese textbook keeps as symbols stay symbols: D(x), G(z), FD, Adam, MNIST.
export default {
  // -- the page's frame
  'lang.label': '语言',

  // -- h-present
  'present.pace': '慢动作：每一步的秒数',
  'present.pace_value': '{s} 秒',
  'present.pace_refused': '链接中的速度“{value}”无效：每一步须在 {min} 到 {max} 秒之间；速度未改变。',
  'present.round_slow': '慢速走一轮',
  'present.lesson': '课程',
};
