// tfjs-models.js: the two GANs of the benchmark in TF.js layers, and one
// training step for them. Batch norm uses PyTorch's settings (momentum 0.1,
// i.e. Keras momentum 0.9; epsilon 1e-5) like ganplay; other layers keep
// the TF.js defaults (biases on, Glorot-uniform weights).
'use strict';

const LATENT = 100;

const lrelu = () => tf.layers.leakyReLU({ alpha: 0.2 });
const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });

// Seed MLP GAN.
// G: z(100) -> 128 -> LReLU -> 256 -> BN -> LReLU -> 512 -> BN -> LReLU
//      -> 1024 -> BN -> LReLU -> 784 -> tanh
// D: 784 -> 512 -> LReLU -> 256 -> LReLU -> 1 (logit)
function mlpGan() {
  const G = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [LATENT], units: 128 }), lrelu(),
      tf.layers.dense({ units: 256 }), bn(), lrelu(),
      tf.layers.dense({ units: 512 }), bn(), lrelu(),
      tf.layers.dense({ units: 1024 }), bn(), lrelu(),
      tf.layers.dense({ units: 784, activation: 'tanh' }),
    ],
  });
  const D = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512 }), lrelu(),
      tf.layers.dense({ units: 256 }), lrelu(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  return { G, D, imageShape: [784] };
}

// DCGAN (NHWC).
// G: z(100) -> Dense 128*7*7 -> reshape 7x7x128 -> BN -> ReLU
//      -> ConvT(64, 4, s2, same) -> BN -> ReLU -> ConvT(1, 4, s2, same) -> tanh
// D: Conv(64, 4, s2, same) -> LReLU -> Conv(128, 4, s2, same) -> BN -> LReLU
//      -> Flatten -> Dense 1 (logit)
function dcgan() {
  const G = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [LATENT], units: 128 * 7 * 7 }),
      tf.layers.reshape({ targetShape: [7, 7, 128] }), bn(), tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same' }), bn(), tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
  const D = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 4, strides: 2, padding: 'same' }), lrelu(),
      tf.layers.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }), bn(), lrelu(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  return { G, D, imageShape: [28, 28, 1] };
}

const MODELS = { mlp: mlpGan, dcgan };

// Makes 64 images in inference mode and reads them back.
function sampler({ G }) {
  return () => tf.tidy(() => G.apply(tf.randomNormal([BATCH, LATENT]), { training: false }).dataSync());
}

// One training step: D on a real batch (label 1) and a fake batch (label 0,
// G's output detached), then G with the non-saturating loss; sigmoid cross
// entropy on logits, Adam(2e-4, 0.5, 0.999, eps 1e-8) for each net.
// realBatch() returns a Float32Array of BATCH images in [-1, 1].
// Returns step(), which gives [D loss, G loss].
function trainer({ G, D, imageShape }, realBatch) {
  const optD = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const optG = tf.train.adam(2e-4, 0.5, 0.999, 1e-8);
  const dVars = D.trainableWeights.map((w) => w.read());
  const gVars = G.trainableWeights.map((w) => w.read());
  const ones = tf.ones([BATCH, 1]);
  const zeros = tf.zeros([BATCH, 1]);
  const bce = tf.losses.sigmoidCrossEntropy;
  return () => {
    const [dLoss, gLoss] = tf.tidy(() => {
      const real = tf.tensor(realBatch(), [BATCH, ...imageShape]);
      const z = tf.randomNormal([BATCH, LATENT]);
      const fake = G.apply(z, { training: true }); // outside the tape: detached
      const dl = optD.minimize(() => {
        const lr = D.apply(real, { training: true });
        const lf = D.apply(fake, { training: true });
        return tf.add(bce(ones, lr), bce(zeros, lf));
      }, true, dVars);
      const gl = optG.minimize(() => bce(ones, D.apply(G.apply(z, { training: true }), { training: true })), true, gVars);
      return [dl, gl];
    });
    const losses = [dLoss.dataSync()[0], gLoss.dataSync()[0]];
    tf.dispose([dLoss, gLoss]);
    return losses;
  };
}
