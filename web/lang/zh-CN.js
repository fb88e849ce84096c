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
  // -- h-overview
  'overview.figure.2d': '模型：噪声 z 输入 G，G 生成假样本 G(z)；D 判断假样本和真实点 x；D 的损失与 G 的损失。',
  'overview.figure.image': '模型，以及一步训练中各个张量的形状。',
  'overview.hint.2d': '指向某个部分（或用 Tab 键选中，或轻点它），即可在平面中突出显示它。D 显示它对一批数据的平均判断 D(x) 和 D(G(z))。训练进行时，圆点沿连线传递数据；橙色圆点把梯度传回。',
  'overview.hint.image': '一步训练中的各个张量及其形状（批量 × …）。训练进行时，圆点沿连线传递数据；橙色圆点把梯度传回。',
  'overview.z': 'z',
  'overview.y': 'y',
  'overview.g': 'G',
  'overview.fake': 'G(z)',
  'overview.real': '真实 x',
  'overview.d': 'D',
  'overview.dloss': 'D 的损失',
  'overview.gloss': 'G 的损失',
  'overview.name.z': '噪声 z',
  'overview.name.y': '类别标签 y',
  'overview.name.g': '生成器 G',
  'overview.name.fake': '假样本 G(z)',
  'overview.name.real': '真实数据 x',
  'overview.name.d': '判别器 D',
  'overview.name.dloss': 'D 的损失',
  'overview.name.gloss': 'G 的损失',
  'overview.dstep': 'D 第 {n} 步',
  'overview.gstep': 'G 第 {n} 步',
  'overview.nodstep': '尚无 D 步',
  'overview.nogstep': '尚无 G 步',
  'overview.scalar': '标量',
  'overview.out': '输出 {out}',
  'overview.out.acgan': '输出 {out} + {classes}',
  'overview.nod': '此文件中没有',
};
