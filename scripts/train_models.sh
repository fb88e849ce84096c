#!/bin/sh
# Trains the shipped models with the native CLI from fixed seeds, exports each
# generator as a float16 model file, and writes its model card (models/NAME.md)
# and sample grid (models/NAME.png). Full training states stay in
# build/models-train/ (resumable with `ganplay train --resume`).
# usage: sh scripts/train_models.sh [TARGET ...]
#   targets: mnist-classifier fashion-classifier mnist-mlp mnist-dcgan fashion-dcgan
#   (default: all, classifiers first since the cards' scores need them);
#   card-NAME rewrites one card from an earlier run without training.
set -eu
cd "$(dirname "$0")/.."
make -s build/ganplay build/data/mnist.bin build/data/fashion.bin
mkdir -p build/models-train

CLI=build/ganplay
OUT=build/models-train

# one line per shipped generator: name preset dataset steps title
GANS="mnist-mlp mlp mnist 10000 MNIST_seed_MLP_GAN
mnist-dcgan dcgan mnist 4000 MNIST_DCGAN
fashion-dcgan dcgan fashion 3000 Fashion-MNIST_DCGAN"

field() { echo "$GANS" | awk -v n="$1" -v f="$2" '$1 == n { print $f }'; }

train_gan() {
    name=$1
    preset=$(field "$name" 2) dataset=$(field "$name" 3) steps=$(field "$name" 4)
    echo "== $name"
    $CLI train --preset "$preset" --data "build/data/$dataset.bin" --steps "$steps" --seed 1 \
        --log-every 250 --out "$OUT/$name.gpm" | tee "$OUT/$name.log"
    $CLI export --model "$OUT/$name.gpm" --out "models/$name.gpm" --f16
    card "$name"
}

card() {
    name=$1
    preset=$(field "$name" 2) dataset=$(field "$name" 3) steps=$(field "$name" 4)
    title=$(field "$name" 5 | tr _ ' ')
    data=build/data/$dataset.bin classifier=models/$dataset-classifier.gpc
    seconds=$(sed -n 's/^.* steps in \([0-9.]*\) s.*$/\1/p' "$OUT/$name.log")
    $CLI sample --model "models/$name.gpm" --count 64 --seed 1 --cols 8 --png "models/$name.png" >/dev/null
    score=$($CLI score --classifier "$classifier" --data "$data" --model "models/$name.gpm" --count 1000 --seed 1)
    real=$($CLI score --classifier "$classifier" --data "$data" --real 1000 --seed 1)
    size=$(wc -c < "models/$name.gpm")
    {
        echo "# $title"
        echo
        echo "![64 samples of models/$name.gpm, seed 1](${name}.png)"
        echo
        echo "- **Architecture:** the \`$preset\` preset (README, \"The models\"); this file holds the generator"
        echo "  alone, float16 weights, BatchNorm running statistics for sampling."
        echo "- **Data:** \`$data\` (README, \"Data\"), training split only: image i is held out when i % 5 == 4."
        echo "- **Training:** $steps steps, batch 64, Adam lr 2e-4, betas (0.5, 0.999), non-saturating loss, seed 1."
        echo "- **Command:** \`sh scripts/train_models.sh $name\`, which runs"
        echo "  \`$CLI train --preset $preset --data $data --steps $steps --seed 1 --out $OUT/$name.gpm\`"
        echo "  then \`$CLI export --model $OUT/$name.gpm --out models/$name.gpm --f16\`."
        echo "- **Training time:** $seconds s wall (native CLI, one thread, 128-bit SIMD kernels, on a 2-core"
        echo "  x86-64 server that was running other jobs at the same time; see README, \"Benchmark\", for"
        echo "  uncontended speeds)."
        [ -f "$OUT/$name.note" ] && echo "- **Note:** $(cat "$OUT/$name.note")"
        echo "- **File:** \`models/$name.gpm\`, $size bytes."
        echo "- **Quality:** \`$CLI score --classifier $classifier --data $data --model models/$name.gpm --count 1000 --seed 1\`"
        echo "  (digit FD: Fréchet distance of the classifier's 128 penultimate features against the 2,000"
        echo "  held-out images; lower is better):"
        echo
        echo '```'
        echo "$score"
        echo '```'
        echo
        echo "  For scale, 1,000 real training images (\`--real 1000\`) score:"
        echo
        echo '```'
        echo "$real"
        echo '```'
    } > "models/$name.md"
    echo "wrote models/$name.md"
}

classifier() {
    dataset=$1
    echo "== $dataset-classifier"
    $CLI train-classifier --data "build/data/$dataset.bin" --steps 4000 --seed 1 \
        --out "models/$dataset-classifier.gpc" | tee "$OUT/$dataset-classifier.log"
    classifier_card "$dataset"
}

classifier_card() {
    dataset=$1
    {
        echo "# $dataset classifier (for scoring generators)"
        echo
        echo "- **Architecture:** 1x28x28 -> Conv 16 k5 s2 p2 -> ReLU -> Conv 32 k5 s2 p2 -> ReLU -> Flatten"
        echo "  -> Linear 128 -> ReLU (the 128 features the FD uses) -> Dropout 0.3 -> Linear 10."
        echo "- **Data:** \`build/data/$dataset.bin\`, training split (8,000 images), random shifts of up to 2 pixels."
        echo "- **Training:** 4000 steps, batch 64, Adam lr 1e-3 with cosine decay to 5%, seed 1:"
        echo "  \`$CLI train-classifier --data build/data/$dataset.bin --steps 4000 --seed 1 --out models/$dataset-classifier.gpc\`"
        echo "- **Held-out accuracy** (2,000 images never trained on): $(sed -n 's/^wrote .*(held-out accuracy \([0-9.]*\) .*$/\1/p' "$OUT/$dataset-classifier.log")"
        echo "- **File:** \`models/$dataset-classifier.gpc\`, $(wc -c < "models/$dataset-classifier.gpc") bytes (float32)."
    } > "models/$dataset-classifier.md"
}

for t in ${*:-mnist-classifier fashion-classifier mnist-mlp mnist-dcgan fashion-dcgan}; do
    case $t in
    mnist-classifier) classifier mnist ;;
    fashion-classifier) classifier fashion ;;
    card-*-classifier) classifier_card "$(echo "${t#card-}" | sed 's/-classifier$//')" ;;
    card-*) card "${t#card-}" ;;
    *)
        if [ -n "$(field "$t" 2)" ]; then train_gan "$t"; else echo "unknown target '$t'" >&2; exit 2; fi ;;
    esac
done
