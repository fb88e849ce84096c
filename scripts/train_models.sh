#!/bin/sh
# Trains the shipped models with the native CLI, from fixed seeds, and writes
# each one's model card (models/NAME.md) and sample grid (models/NAME.png).
# usage: sh scripts/train_models.sh [mnist-classifier|fashion-classifier|mnist-mlp|mnist-dcgan|fashion-dcgan ...]
# (default: all, classifiers first since the cards' scores need them)
set -eu
cd "$(dirname "$0")/.."
make -s build/ganplay build/data/mnist.bin build/data/fashion.bin

CLI=build/ganplay

# run NAME COMMAND...: runs a training command, keeping its log and wall time
run() {
    name=$1; shift
    echo "== $name: $*"
    start=$(date +%s)
    "$@" | tee "build/train-$name.log"
    end=$(date +%s)
    echo $((end - start)) > "build/train-$name.seconds"
}

# card NAME DATA CLASSIFIER TITLE PRESET STEPS: writes models/NAME.md and models/NAME.png
card() {
    name=$1 data=$2 CLASSIFIER=$3 title=$4 preset=$5 steps=$6
    seconds=$(cat "build/train-$name.seconds")
    $CLI sample --model "models/$name.gpm" --count 64 --seed 1 --cols 8 --png "models/$name.png" >/dev/null
    score=$($CLI score --classifier $CLASSIFIER --data "$data" --model "models/$name.gpm" --count 1000 --seed 1)
    real=$($CLI score --classifier $CLASSIFIER --data "$data" --real 1000 --seed 1)
    size=$(wc -c < "models/$name.gpm")
    {
        echo "# $title"
        echo
        echo "![64 samples, seed 1](${name}.png)"
        echo
        echo "- **Architecture:** the \`$preset\` preset (see README, \"Presets\"); generator only, float16 weights."
        echo "- **Data:** \`$data\`, training split only (image i held out when i % 5 == 4)."
        echo "- **Training:** $steps steps, batch 64, Adam lr 2e-4, betas (0.5, 0.999), seed 1."
        echo "- **Command:** \`sh scripts/train_models.sh $name\` runs"
        echo "  \`$(head -n 1 "build/train-$name.cmd")\`"
        echo "- **Training time:** ${seconds} s wall on one core of a 2-core x86-64 server (native CLI, 128-bit SIMD)."
        echo "- **File:** \`models/$name.gpm\`, $size bytes."
        echo "- **Quality** (\`ganplay score\`, classifier \`$CLASSIFIER\`, n = 1,000 samples against the 2,000 held-out images):"
        echo
        echo '```'
        echo "$score"
        echo '```'
        echo
        echo "  For scale, 1,000 real training images score:"
        echo
        echo '```'
        echo "$real"
        echo '```'
    } > "models/$name.md"
    echo "wrote models/$name.md"
}

gan() {
    name=$1 preset=$2 dataset=$3 steps=$4 title=$5
    data=build/data/$dataset.bin
    cmd="$CLI train --preset $preset --data $data --steps $steps --seed 1 --log-every 500 --f16 --out models/$name.gpm"
    echo "$cmd" > "build/train-$name.cmd"
    run "$name" $cmd
    card "$name" "$data" "models/$dataset-classifier.gpc" "$title" "$preset" "$steps"
}

classifier() {
    dataset=$1
    run "$dataset-classifier" $CLI train-classifier --data "build/data/$dataset.bin" --steps 4000 --seed 1 \
        --out "models/$dataset-classifier.gpc"
}

targets=${*:-mnist-classifier fashion-classifier mnist-mlp mnist-dcgan fashion-dcgan}
for t in $targets; do
    case $t in
    mnist-classifier) classifier mnist ;;
    fashion-classifier) classifier fashion ;;
    mnist-mlp) gan mnist-mlp mlp mnist 15000 "MNIST seed MLP GAN" ;;
    mnist-dcgan) gan mnist-dcgan dcgan mnist 6000 "MNIST DCGAN" ;;
    fashion-dcgan) gan fashion-dcgan dcgan fashion 6000 "Fashion-MNIST DCGAN" ;;
    *) echo "unknown target '$t'" >&2; exit 2 ;;
    esac
done
