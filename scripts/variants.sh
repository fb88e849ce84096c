#!/bin/sh
# Measures what helps: trains each variant of the recipe (loss, EMA, spectral
# norm, augmentation, R1, class conditioning) for a fixed number of steps
# from two or more seeds with the native CLI, scores each generator with
# `ganplay score` (digit FD at n = 1,000 and, for conditional models, the
# conditional accuracy), and prints a Markdown table of the mean and spread
# over seeds. Each row is one command line; nothing else differs.
# usage: sh scripts/variants.sh            (PRESET=mlp STEPS=2000 SEEDS="1 2" by default)
#        PRESET=dcgan STEPS=1500 sh scripts/variants.sh
set -eu
cd "$(dirname "$0")/.."
make -s build/ganplay build/data/mnist.bin
PRESET=${PRESET:-mlp}
STEPS=${STEPS:-2000}
SEEDS=${SEEDS:-"1 2"}
JOBS=${JOBS:-2}
OUT=build/variants
mkdir -p "$OUT"
CLI=${CLI:-build/ganplay}

# name | flags (one row per variant)
VARIANTS='baseline|
ema|--ema 0.999
lsgan|--loss lsgan
hinge|--loss hinge
spectral-norm|--spectral-norm on
augment|--augment translate
r1|--r1 1
acgan|--cond acgan'

run_one() { # name seed flags...
    name=$1 seed=$2
    shift 2
    base="$OUT/$PRESET-$name-s$seed"
    if [ ! -f "$base.score" ]; then
        $CLI train --preset "$PRESET" --data build/data/mnist.bin --steps "$STEPS" --seed "$seed" "$@" \
            --log-every "$STEPS" --out "$base.gpm" > "$base.log"
        $CLI export --model "$base.gpm" --out "$base.gen.gpm" > /dev/null
        $CLI score --classifier models/mnist-classifier.gpc --data build/data/mnist.bin --model "$base.gen.gpm" \
            --count 1000 --seed 1 > "$base.score.tmp"
        mv "$base.score.tmp" "$base.score"
        rm -f "$base.gpm" "$base.gen.gpm"
    fi
}

# every (variant, seed) pair, JOBS at a time
echo "$VARIANTS" | while IFS='|' read -r name flags; do
    for seed in $SEEDS; do echo "$name|$seed|$flags"; done
done > "$OUT/jobs"
running=0
while IFS='|' read -r name seed flags; do
    # shellcheck disable=SC2086
    run_one "$name" "$seed" $flags &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
done < "$OUT/jobs"
wait

fd() { sed -n 's/^digit FD \([0-9.]*\).*/\1/p' "$1"; }
acc() { sed -n 's/^conditional accuracy \([0-9.]*\)/\1/p' "$1"; }
entropy() { sed -n 's/^class entropy \([0-9.]*\).*/\1/p' "$1"; }
echo "Digit FD at n = 1,000 (lower is better; real data 7.1) after $STEPS steps of the \`$PRESET\` preset, seeds $SEEDS"
echo "(mean and range over seeds), with \`sh scripts/variants.sh\`:"
echo
echo "| variant | flags | digit FD | FD per seed | class entropy | conditional accuracy |"
echo "| --- | --- | ---: | --- | ---: | ---: |"
echo "$VARIANTS" | while IFS='|' read -r name flags; do
    fds="" accs="" ents=""
    for seed in $SEEDS; do
        f="$OUT/$PRESET-$name-s$seed.score"
        fds="$fds $(fd "$f")"
        ents="$ents $(entropy "$f")"
        a=$(acc "$f")
        [ -n "$a" ] && accs="$accs $a"
    done
    mean() { echo "$1" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.1f", s / NF; }'; }
    meanp() { echo "$1" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.1f%%", 100 * s / NF; else printf "-"; }'; }
    mean3() { echo "$1" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.3f", s / NF; }'; }
    echo "| $name | \`${flags:-(defaults)}\` | $(mean "$fds") |$(echo "$fds" | awk '{ for (i = 1; i <= NF; i++) printf " %.1f", $i }') | $(mean3 "$ents") | $(meanp "$accs") |"
done
