#!/bin/sh
# The command-line contract: exit codes (0 ok, 2 usage, 1 everything else),
# messages that name the problem, refusals before any work, and writes that
# never leave a damaged file. Run by `make test-native` after the build.
set -u
CLI=${CLI:-build/ganplay}
DATA=build/data/mnist.bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# expect CODE PATTERN COMMAND...: exit code CODE and PATTERN in stdout+stderr
expect() {
    code=$1 pattern=$2
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$code" ] && printf '%s' "$out" | grep -q -- "$pattern"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $* -> rc $rc (wanted $code), output: $(printf '%s' "$out" | head -c 300)"
    fi
}

# a small training state to work with
$CLI train --preset mlp --data $DATA --steps 3 --seed 1 --batch 8 --out "$T/m.gpm" > /dev/null || { echo "FAIL: setup"; exit 1; }
$CLI train --preset mlp --data $DATA --steps 3 --seed 1 --batch 8 --cond concat --ema 0.99 --out "$T/c.gpm" > /dev/null ||
    { echo "FAIL: setup"; exit 1; }

# hyperparameters: the table's ranges, by the setting's name, before anything runs
expect 2 "Learning rate of G: must be a number in (0, 1\], got -1" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --lr-g -1 --out "$T/x.gpm"
expect 2 "Batch size.*got 0x10" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --batch 0x10 --out "$T/x.gpm"
expect 2 "Loss: must be one of nonsaturating, minimax, lsgan, hinge, wgan_gp, got wasserstein" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --loss wasserstein --out "$T/x.gpm"
expect 2 "Adam β1.*got 1" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --beta1 1 --out "$T/x.gpm"
expect 2 "unknown option '--lr'" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --lr 0.1 --out "$T/x.gpm"
# an option given as another's value, or given twice, is refused (--out --steps wrote a file named --steps)
expect 2 "out needs a value, not the option --steps" $CLI train --preset mlp --data $DATA --seed 1 --steps 1 --out --steps
expect 2 "seed needs a value, not the option --out" $CLI train --preset mlp --data $DATA --steps 1 --seed --out "$T/x.gpm"
expect 2 "steps is given twice" $CLI train --preset mlp --data $DATA --steps 1 --steps 2 --seed 1 --out "$T/x.gpm"
expect 2 "lr-g is given twice" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --lr-g 0.1 --lr-g 0.2 --out "$T/x.gpm"
expect 2 "model needs a value, not the option --png" $CLI sample --model --png "$T/x.png" --count 1 --seed 1
if [ -e ./--steps ] || [ -e "$T/--steps" ]; then fail=$((fail + 1)); echo "FAIL: a file named --steps was written"; else pass=$((pass + 1)); fi
# numbers: decimal only (no hex, no space, no trailing text), in the documented range, the range in the message
expect 2 "invalid value '0x10' for --seconds: must be a number in (0, 604800\]" $CLI train --preset mlp --data $DATA --seconds 0x10 --seed 1 --out "$T/x.gpm"
expect 2 "invalid value '1e30' for --seconds: must be a number in (0, 604800\]" $CLI train --preset mlp --data $DATA --seconds 1e30 --seed 1 --out "$T/x.gpm"
expect 2 "invalid value ' 5' for --steps: must be a whole number in 1..100000000" $CLI train --preset mlp --data $DATA --steps ' 5' --seed 1 --out "$T/x.gpm"
expect 2 "invalid value '5 ' for --steps" $CLI train --preset mlp --data $DATA --steps '5 ' --seed 1 --out "$T/x.gpm"
expect 2 "invalid value '+5' for --steps" $CLI train --preset mlp --data $DATA --steps +5 --seed 1 --out "$T/x.gpm"
expect 2 "invalid value ' 3' for --count: must be a whole number in 1..100000" $CLI sample --model "$T/m.gpm" --count ' 3' --seed 1 --raw "$T/x.f32"
expect 2 "invalid value 'inf' for --lr: must be a number in (0, 1\]" $CLI train-classifier --data $DATA --steps 1 --seed 1 --lr inf --out "$T/x.gpc"
expect 2 "invalid value '0x1p-3' for --lr: must be a decimal number" $CLI project --model "$T/m.gpm" --png "$T/x.png" --out "$T/x.png" --lr 0x1p-3
# seeds: 0..2^53-1 exactly, everywhere
expect 2 "Training seed: must be a whole number in 0..9007199254740991, got 18446744073709551615" $CLI train --preset mlp --data $DATA --steps 1 --seed 18446744073709551615 --out "$T/x.gpm"
expect 2 "invalid value '18446744073709551615' for --seed: must be a whole number in 0..9007199254740991" $CLI sample --model "$T/m.gpm" --count 1 --seed 18446744073709551615 --raw "$T/x.f32"
expect 2 "invalid value '9007199254740992' for --seed" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --real 5 --seed 9007199254740992
expect 2 "invalid value ' 1' for --seed" $CLI project --model "$T/m.gpm" --png "$T/x.png" --out "$T/x.png" --seed ' 1'
expect 0 "wrote 1 samples" $CLI sample --model "$T/m.gpm" --count 1 --seed 9007199254740991 --raw "$T/x.f32"
# a missing value, and an unknown option wherever it stands (never taken as a value)
expect 2 "ganplay info: --model needs a value" $CLI info --model
expect 2 "unknown option '--bogus'" $CLI info --model --bogus
expect 2 "unknown option '--bogus'" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --out "$T/x.gpm" --f16 --bogus
expect 2 "unknown option '--bogus'" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --out "$T/x.gpm" --classifier --bogus
expect 2 "unknown option '--bogus'" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --out "$T/x.gpm" --ema --bogus
expect 2 "unknown option '--bogus'" $CLI export --f16 --bogus --model "$T/m.gpm" --out "$T/x.gpm"
# help: every option of the command's table and every setting, with the presets' names; outputs apart
settings=$($CLI info --model "$T/m.gpm" | sed 's/.*"settings":{//; s/}}$//' | tr ',' '\n' | sed -n 's/^"\([a-z][a-z0-9_]*\)":.*/\1/p' |
    grep -v -x -e preset -e dataset -e image -e height -e width -e classes -e class_names | tr _ -)
[ "$(printf '%s\n' $settings | wc -l)" -gt 20 ] || { fail=$((fail + 1)); echo "FAIL: info lists no settings: $settings"; }
# has_help COMMAND SECTION FLAG...: each "  FLAG" in the section ("options", "outputs", "settings") of COMMAND --help
has_help() {
    cmd=$1 section=$2
    shift 2
    text=$($CLI $cmd --help | sed -n "/^$section/,/^[a-z]/p")
    for flag in "$@"; do
        if printf '%s\n' "$text" | grep -q -- "^  $flag\( \|$\)"; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL: '$cmd --help' has no $flag under $section"; fi
    done
}
has_help train options --preset --data --resume --classifier --steps --seconds --log-every --checkpoint-every --generator-only --f16
has_help train outputs --out
has_help train settings $(printf -- '--%s ' $settings)
has_help train2d options --dist --lesson --steps --log-every
has_help train2d settings $(printf -- '--%s ' $settings)
has_help sample options --model --count --seed --z --class --cols
has_help sample outputs --png --raw --labels
has_help train-classifier options --data --steps --seed --batch --lr
has_help train-classifier outputs --out
has_help score options --classifier --data --model --raw --png --real --labels --class --count --seed
has_help export options --model --recalibrate-bn --f16 --no-ema
has_help export outputs --out
has_help info options --model
has_help project options --model --png --mask --class --steps --starts --lr --prior --seed
has_help project outputs --out --trace --z
for cmd in train train2d sample train-classifier score export info project settings; do has_help $cmd "every command" --threads --help; done
expect 0 "--preset NAME  *the architecture: one of mlp, dcgan$" $CLI train --help
expect 0 "--spectral-norm off|on  *Spectral norm in D" $CLI train --help
expect 0 "one of line, two, ring, grid, moons, spiral$" $CLI train2d --help
expect 0 "--seconds S  *train for S seconds, and at least one step; a number in (0, 604800\]" $CLI train --help
# settings: the settings table as one JSON object, its ranges exact (the seed's 2^53-1 too)
expect 0 '"name":"latent","label":"Latent size",.*"type":"int","min":1,"max":1024,"min_open":false,"max_open":false' $CLI settings
expect 0 '"name":"beta1",.*"min":0,"max":1,"min_open":false,"max_open":true' $CLI settings
expect 0 '"name":"seed",.*"type":"seed","min":0,"max":9007199254740991,' $CLI settings
expect 2 "ganplay settings: unknown option 'latent'" $CLI settings latent
[ "$($CLI settings | wc -l)" -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: settings is not one line"; }
# the output's place before training
expect 1 "cannot write '$T/no/x.gpm'" $CLI train --preset mlp --data $DATA --steps 100000 --seed 1 --out "$T/no/x.gpm"
expect 1 "it is a folder" $CLI train --preset mlp --data $DATA --steps 100000 --seed 1 --out "$T"
# resuming: live settings apply, others must match
expect 0 "wrote" $CLI train --resume "$T/m.gpm" --data $DATA --steps 1 --lr-g 0.001 --loss hinge --out "$T/r.gpm"
expect 0 '"lr_g":0.001' $CLI info --model "$T/r.gpm"
expect 0 '"loss":"hinge"' $CLI info --model "$T/r.gpm"
expect 2 "Batch size cannot change.*it has 8" $CLI train --resume "$T/m.gpm" --data $DATA --steps 1 --batch 16 --out "$T/r.gpm"
expect 2 "is a 'mlp' model, not 'dcgan'" $CLI train --resume "$T/m.gpm" --preset dcgan --data $DATA --steps 1 --out "$T/r.gpm"
# a training state keeps the run's history: a chart point a step, a snapshot every 50 G steps
$CLI train --preset mlp --data $DATA --steps 100 --seed 2 --batch 8 --out "$T/h.gpm" > /dev/null
expect 0 '"history":{"chart_points":100,"fd_points":0,"snapshots":3}' $CLI info --model "$T/h.gpm"
expect 1 "cannot open '$T/none.gpc'" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --classifier "$T/none.gpc" --out "$T/x.gpm"
expect 1 "not a ganplay classifier file" $CLI train --preset mlp --data $DATA --steps 1 --seed 1 --classifier $DATA --out "$T/x.gpm"
# a time too short for a step still trains one: no model is written untrained, with losses it never computed
expect 0 "step      1  d_loss" $CLI train --preset mlp --data $DATA --seconds 0.000001 --seed 1 --batch 8 --out "$T/x.gpm"
# checkpoints every N steps, each a training state with its history so far
expect 0 "checkpoint at step 4:" $CLI train --preset mlp --data $DATA --steps 6 --seed 1 --batch 8 --checkpoint-every 4 --out "$T/k.gpm"
# info: one JSON object
expect 0 '"classes":{"count":10,"names":\["0","1","2","3","4","5","6","7","8","9"\]}' $CLI info --model "$T/c.gpm"
expect 0 '"tools":{"conditioning":"concat","ema":0.99' $CLI info --model "$T/c.gpm"
expect 0 '"dataset":"mnist"' $CLI info --model "$T/m.gpm"
expect 1 "not a ganplay model" $CLI info --model $DATA
# names: what the CLI prints is valid UTF-8 whatever a file's bytes (the loader takes a name cut inside a
# character, as the page may write one; a byte that is not UTF-8 is printed as U+FFFD)
patched() { # patched FILE OFFSET BYTES OUT: FILE with BYTES (printf's escapes) at OFFSET and its CRC-32 redone
    head -c $(($(wc -c < "$1") - 4)) "$1" > "$4.body"
    printf "$3" | dd of="$4.body" bs=1 seek="$2" conv=notrunc 2> /dev/null
    { cat "$4.body"; gzip -c < "$4.body" | tail -c 8 | head -c 4; } > "$4"
    rm -f "$4.body"
}
valid_utf8() { # valid_utf8 WHAT COMMAND...: the command's stdout and stderr are valid UTF-8
    what=$1
    shift
    if "$@" > "$T/out.txt" 2>&1; [ -s "$T/out.txt" ] && iconv -f UTF-8 -t UTF-8 < "$T/out.txt" > /dev/null 2>&1; then
        pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what: not valid UTF-8: $(head -c 300 "$T/out.txt")"; fi
}
patched "$T/c.gpm" 164 'ab\303' "$T/names.gpm"          # class 0's name cut inside a character
patched "$T/names.gpm" 144 '\377\376' "$T/names.gpm"     # the dataset's name: bytes that are not UTF-8
patched "$T/m.gpm" 12 'ml\377' "$T/preset.gpm"           # a preset name that is not UTF-8, in the loader's message
expect 0 '"dataset":"\\ufffd\\ufffdist","image".*"names":\["ab\\ufffd","1"' $CLI info --model "$T/names.gpm"
valid_utf8 "info" $CLI info --model "$T/names.gpm"
expect 1 "unknown preset 'ml�'" $CLI info --model "$T/preset.gpm"
valid_utf8 "a loader's message" $CLI info --model "$T/preset.gpm"
valid_utf8 "sample's message" $CLI sample --model "$T/preset.gpm" --count 1 --seed 1 --raw "$T/x.f32"
# sample: classes and labels
expect 0 "wrote 3 samples" $CLI sample --model "$T/c.gpm" --count 3 --seed 1 --class 7 --raw "$T/s.f32" --labels "$T/s.lab"
if [ "$(cat "$T/s.lab" | tr '\n' ' ')" = "7 7 7 " ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: --class 7 labels: $(cat "$T/s.lab")"; fi
$CLI sample --model "$T/c.gpm" --count 12 --seed 1 --raw "$T/s.f32" --labels "$T/s.lab" > /dev/null
if [ "$(tr '\n' ' ' < "$T/s.lab")" = "0 1 2 3 4 5 6 7 8 9 0 1 " ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: classes in turn: $(cat "$T/s.lab")"; fi
expect 2 "has 10 classes" $CLI sample --model "$T/c.gpm" --count 3 --seed 1 --class 12 --raw "$T/s.f32"
expect 2 "has 0 classes" $CLI sample --model "$T/m.gpm" --count 3 --seed 1 --class 1 --raw "$T/s.f32"
# --z: a latent that is not finite is refused by its position, and nothing is written
head -c 800 /dev/zero > "$T/z.f32" # 2 x 100 latents
printf '\000\000\300\177' | dd of="$T/z.f32" bs=1 seek=600 conv=notrunc 2> /dev/null # value 150: NaN
expect 1 "z '$T/z.f32': value 150 (sample 1, latent value 50, counting from 0; byte offset 600) is NaN; latents must be finite" \
    $CLI sample --model "$T/m.gpm" --count 2 --z "$T/z.f32" --png "$T/zn.png" --raw "$T/zn.f32" --labels "$T/zn.lab"
printf '\000\000\200\377' | dd of="$T/z.f32" bs=1 seek=600 conv=notrunc 2> /dev/null # -inf
expect 1 "value 150 .* is infinite" $CLI sample --model "$T/m.gpm" --count 2 --z "$T/z.f32" --raw "$T/zn.f32"
if [ -e "$T/zn.png" ] || [ -e "$T/zn.f32" ] || [ -e "$T/zn.lab" ]; then fail=$((fail + 1)); echo "FAIL: non-finite latents wrote a file"; else pass=$((pass + 1)); fi
head -c 800 /dev/zero > "$T/z.f32"
expect 0 "wrote 2 samples" $CLI sample --model "$T/m.gpm" --count 2 --z "$T/z.f32" --raw "$T/zn.f32"
# writes: a full disk fails loudly; a failed write leaves the old file whole
expect 1 "No space left on device" $CLI sample --model "$T/m.gpm" --count 4 --seed 1 --png /dev/full
expect 1 "it is a folder" $CLI sample --model "$T/m.gpm" --count 4 --seed 1 --png "$T"
# an export over an existing file replaces it whole, and leaves no temporary file behind
cp "$T/m.gpm" "$T/keep.gpm"
expect 0 "wrote" $CLI export --model "$T/c.gpm" --out "$T/keep.gpm"
expect 0 '"classes":{"count":10' $CLI info --model "$T/keep.gpm"
if ls -A "$T" | grep -q 'tmp[0-9]*$'; then fail=$((fail + 1)); echo "FAIL: temporary files left: $(ls "$T")"; else pass=$((pass + 1)); fi
# score: a conditional model's accuracy; data of another shape is refused in words
expect 0 "conditional accuracy" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --model "$T/c.gpm" --count 20
expect 0 "conditional accuracy" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --raw "$T/s.f32" --labels "$T/s.lab"
printf '3\n' > "$T/short.lab"
expect 1 "must hold 12 classes" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --raw "$T/s.f32" --labels "$T/short.lab"
small_dataset() { # a valid 8x8 dataset
    { printf 'GPDS'; printf '\001\000\000\000\024\000\000\000\010\000\000\000\010\000\000\000\001\000\000\000';
      head -c $((20 * 64)) /dev/zero; head -c 20 /dev/zero; } > "$1"
}
small_dataset "$T/small.bin"
expect 1 "images are 1x8x8; the classifier reads 1x28x28" $CLI score --classifier models/mnist-classifier.gpc --data "$T/small.bin" --real 5
expect 1 "dataset images are 1x8x8" $CLI train --resume "$T/m.gpm" --data "$T/small.bin" --steps 1 --out "$T/r2.gpm"

# fault injection: a write that fails part-way (a file size limit, so the
# temporary file stops growing at 4 KB with EFBIG) leaves the old file
# byte-identical, and the tool says which file and why
limited() { (trap '' XFSZ; ulimit -f 8; "$@"); }
$CLI export --model "$T/m.gpm" --out "$T/old.gpm" > /dev/null && cp "$T/old.gpm" "$T/old.copy"
$CLI sample --model "$T/m.gpm" --count 4 --seed 1 --png "$T/old.png" --raw "$T/old.f32" > /dev/null &&
    cp "$T/old.png" "$T/png.copy" && cp "$T/old.f32" "$T/f32.copy"
expect 1 "error writing '$T/old.gpm': File too large (the old file, if any, is unchanged)" limited $CLI export --model "$T/m.gpm" --out "$T/old.gpm" --f16
expect 1 "error writing '$T/old.gpm': File too large" limited $CLI train --resume "$T/m.gpm" --data $DATA --steps 1 --out "$T/old.gpm"
expect 1 "error writing '$T/old.png': File too large" limited $CLI sample --model "$T/m.gpm" --count 64 --seed 2 --png "$T/old.png"
expect 1 "error writing '$T/old.f32': File too large" limited $CLI sample --model "$T/m.gpm" --count 64 --seed 2 --raw "$T/old.f32"
for f in gpm:old.copy png:png.copy f32:f32.copy; do
    if cmp -s "$T/old.${f%%:*}" "$T/${f#*:}"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: old.${f%%:*} changed by a failed write"; fi
done
if [ -z "$(find "$T" -name '*.tmp*')" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: temporary files left: $(find "$T" -name '*.tmp*')"; fi

# a file size limit without the signal ignored: the tool ignores SIGXFSZ itself, says why, exit 1, no temporary left
sizelimited() { (ulimit -f 8; "$@"); }
expect 1 "error writing '$T/old.gpm': File too large" sizelimited $CLI export --model "$T/m.gpm" --out "$T/old.gpm" --f16
if cmp -s "$T/old.gpm" "$T/old.copy" && [ -z "$(find "$T" -name '*.tmp*')" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: ulimit -f: old.gpm changed or temporary left: $(ls -A "$T")"; fi

# saves in a folder others can write to: links planted at every temporary name this process could use
# (sh's pid is the tool's, through exec) are neither followed nor truncated, and --out becomes a file
mkdir "$T/drop" && printf 'victim\n' > "$T/victim.txt"
expect 0 "wrote" sh -c 'for n in probe tmp; do ln -s ../victim.txt "$1/out.gpm.$n$$"; done
    for k in 0 1 2; do ln -s ../victim.txt "$1/.gp-$$-$k.tmp"; done
    exec "$2" train --preset mlp --data "$3" --steps 1 --seed 1 --batch 8 --out "$1/out.gpm"' sh "$T/drop" "$CLI" "$DATA"
if [ "$(cat "$T/victim.txt")" = victim ] && [ -f "$T/drop/out.gpm" ] && [ ! -L "$T/drop/out.gpm" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: a planted link was followed: victim.txt is $(wc -c < "$T/victim.txt") bytes, $(ls -lA "$T/drop")"; fi
# a save keeps the old file's mode; a link at --out is followed (its file replaced, the link kept); a link to nothing is refused
cp "$T/m.gpm" "$T/secret.gpm" && chmod 600 "$T/secret.gpm"
expect 0 "wrote" $CLI export --model "$T/c.gpm" --out "$T/secret.gpm"
if [ "$(stat -c %a "$T/secret.gpm")" = 600 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: mode $(stat -c %a "$T/secret.gpm") after a save over a 600 file"; fi
cp "$T/m.gpm" "$T/target.gpm" && ln -s target.gpm "$T/link.gpm"
expect 0 "wrote" $CLI export --model "$T/c.gpm" --out "$T/link.gpm"
if [ -L "$T/link.gpm" ] && cmp -s "$T/target.gpm" "$T/secret.gpm"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: the link at --out: $(ls -l "$T/link.gpm")"; fi
ln -s nowhere.gpm "$T/dangling.gpm"
expect 1 "'$T/dangling.gpm': it is a symbolic link to a file that does not exist" $CLI export --model "$T/c.gpm" --out "$T/dangling.gpm"
# a name of 255 bytes saves; a message about it still ends with the reason
long=$(printf '%0255d' 0)
expect 0 "wrote" $CLI export --model "$T/m.gpm" --out "$T/$long"
expect 0 '"dataset":"mnist"' $CLI info --model "$T/$long"
expect 1 "cannot write '$T/none/$long': No such file or directory" $CLI export --model "$T/m.gpm" --out "$T/none/$long"
# temporaries a killed save left: those of a dead process go at the next save there, a live process's stay
dead=$(sh -c 'echo $$')
printf 'stale' > "$T/st.gpm.tmp$dead" && printf 'stale' > "$T/.gp-$dead-0.tmp" && printf 'live' > "$T/.gp-$$-0.tmp"
expect 0 "wrote" $CLI export --model "$T/m.gpm" --out "$T/st.gpm"
if [ ! -e "$T/st.gpm.tmp$dead" ] && [ ! -e "$T/.gp-$dead-0.tmp" ] && [ "$(cat "$T/.gp-$$-0.tmp")" = live ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: stale temporaries: $(ls -A "$T" | grep tmp)"; fi
rm -f "$T/.gp-$$-0.tmp"
# train-classifier checks --out before it trains
expect 1 "train-classifier: --out: cannot write '$T/no/c.gpc'" $CLI train-classifier --data $DATA --steps 1 --seed 1 --out "$T/no/c.gpc"

# train2d: the 2-D GAN; its last line is one JSON object with the contract's keys
expect 0 '^{"rounds":50,"modes_covered":[0-8],"modes_total":8,"high_quality_share":[0-9.]*,"kl":[0-9.]*,"js":[0-9.]*,"rounds_per_s":[0-9]*' \
    sh -c "$CLI train2d --dist ring --steps 50 --seed 3 | tail -1"
expect 0 '"modes_total":0' sh -c "$CLI train2d --dist spiral --steps 5 --seed 1 --loss hinge --latent 1 | tail -1"
expect 0 'noise uniform (1-D)' $CLI train2d --lesson fold --steps 5
expect 2 "unknown distribution 'circle'" $CLI train2d --dist circle --steps 5 --seed 1
expect 2 "unknown lesson 'nope'" $CLI train2d --lesson nope --steps 5
expect 2 "'drawn' needs the page's canvas" $CLI train2d --lesson draw --steps 5
expect 2 "Latent size: a 2-D GAN's noise has 1 or 2 dimensions, got 3" $CLI train2d --dist ring --steps 5 --seed 1 --latent 3
expect 2 "G hidden layers: must be a whole number in 0..4, got 5" $CLI train2d --dist ring --steps 5 --seed 1 --g-layers 5
expect 2 "needs --dist" $CLI train2d --steps 5 --seed 1
# the same seed, the same run
a=$($CLI train2d --dist moons --steps 40 --seed 9 | tail -1 | sed 's/"rounds_per_s":[0-9]*,//')
b=$($CLI train2d --dist moons --steps 40 --seed 9 | tail -1 | sed 's/"rounds_per_s":[0-9]*,//')
if [ "$a" = "$b" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: train2d is not reproducible: $a / $b"; fi

# saved 2-D runs: --out writes one, --model goes on from it exactly as the run that did not stop, info describes it
un=$($CLI train2d --lesson collapse --steps 70 --log-every 10 --out "$T/u2d.gpm" | tail -1 | sed 's/"rounds_per_s":[0-9]*,//')
expect 0 "wrote $T/h2d.gpm" $CLI train2d --lesson collapse --steps 30 --log-every 10 --out "$T/h2d.gpm"
go=$($CLI train2d --model "$T/h2d.gpm" --steps 40 --log-every 10 --out "$T/g2d.gpm" | tail -1 | sed 's/"rounds_per_s":[0-9]*,//')
case $un in '{"rounds":70,'*) ok=1 ;; *) ok=0 ;; esac
if [ $ok = 1 ] && [ "$un" = "$go" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: train2d --model does not go on as the run that did not stop: $un / $go"; fi
if cmp -s "$T/u2d.gpm" "$T/g2d.gpm"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: the saved run gone on is not the uninterrupted run's file"; fi
expect 0 '^{"mode":"2d","distribution":"ring","distribution_label":"Ring of 8 Gaussians","drawn_points":0,"lesson":"collapse","rounds":30,"g_steps":150,"d_steps_taken":30,"measurements":3,"frame_seed":99,"model":{"preset":"2d"' \
    $CLI info --model "$T/h2d.gpm"
$CLI train2d --dist moons --steps 5 --seed 1 --out "$T/s2d.gpm" > /dev/null
expect 0 '"distribution":"moons",.*"lesson":null,"rounds":5,' $CLI info --model "$T/s2d.gpm"
expect 0 "going on from $T/h2d.gpm at round 30" $CLI train2d --model "$T/h2d.gpm"
expect 0 '^{"rounds":30,' sh -c "$CLI train2d --model '$T/h2d.gpm' | tail -1"
expect 2 "no --dist, no --lesson" $CLI train2d --model "$T/h2d.gpm" --dist ring --steps 5
expect 2 "G layer width cannot change on a model that exists" $CLI train2d --model "$T/h2d.gpm" --steps 5 --g-width 64
expect 1 "opens in\\|open it in the main" $CLI train2d --model "$T/m.gpm" --steps 5
head -c 900 "$T/h2d.gpm" > "$T/cut2d.gpm"
expect 1 "train2d: $T/cut2d.gpm: model file is corrupted or truncated" $CLI train2d --model "$T/cut2d.gpm" --steps 5 --out "$T/x2d.gpm"
if [ ! -e "$T/x2d.gpm" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: a refused --model wrote --out"; fi
expect 1 "train2d: --out: cannot write '$T/no/x.gpm'" $CLI train2d --dist ring --steps 5 --seed 1 --out "$T/no/x.gpm"

# --threads: any command, the same bits at any count; bad counts refused
$CLI train --preset dcgan --data $DATA --steps 2 --seed 4 --batch 16 --threads 1 --out "$T/t1.gpm" > /dev/null
$CLI train --preset dcgan --data $DATA --steps 2 --seed 4 --batch 16 --threads 2 --out "$T/t2.gpm" | grep -q "2 threads" ||
    { fail=$((fail + 1)); echo "FAIL: train does not say it runs 2 threads"; }
if cmp -s "$T/t1.gpm" "$T/t2.gpm"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: 1 and 2 threads trained different models"; fi
$CLI sample --model "$T/t2.gpm" --count 9 --seed 2 --raw "$T/s1.raw" --threads 1 > /dev/null
$CLI sample --threads 2 --model "$T/t2.gpm" --count 9 --seed 2 --raw "$T/s2.raw" > /dev/null
if cmp -s "$T/s1.raw" "$T/s2.raw"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: 1 and 2 threads sampled different images"; fi
expect 2 "threads needs a whole number in 1..8" $CLI sample --model "$T/t2.gpm" --count 1 --seed 1 --threads 0
expect 2 "threads needs a whole number in 1..8" $CLI info --model "$T/t2.gpm" --threads

# project: a sample of the generator comes back through it; the contract's outputs and refusals
$CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 4 --png "$T/one.png" > /dev/null
out=$($CLI project --model models/mnist-dcgan.gpm --png "$T/one.png" --out "$T/back.png" --trace "$T/path.png" --z "$T/z.f32" --steps 100)
if printf '%s' "$out" | grep -Eq '^\{"loss":0\.00[0-9]+,"class":-1,"start":[0-9]+,"mean_z2":[0-9.]+,"steps":100\}$' &&
    [ -s "$T/back.png" ] && [ -s "$T/path.png" ] && [ "$(wc -c < "$T/z.f32")" -eq 400 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: project round trip: $out"; fi
expect 0 '"class":3' $CLI project --model models/mnist-cdcgan.gpm --png "$T/one.png" --out "$T/c.png" --class 3 --steps 20 --mask "$T/one.png"
expect 2 "needs --model, --png and --out" $CLI project --model models/mnist-dcgan.gpm --png "$T/one.png"
expect 2 "class 3: the model has 0 classes" $CLI project --model models/mnist-dcgan.gpm --png "$T/one.png" --out "$T/x.png" --class 3
expect 1 "must be 28x28 or a whole multiple" $CLI project --model models/mnist-dcgan.gpm --png "$T/path.png" --out "$T/x.png"
expect 1 "cannot read PNG" $CLI project --model models/mnist-dcgan.gpm --png "$T/none.png" --out "$T/x.png"
# a PNG's size comes from its header (IHDR) before anything is decoded: one past the cap is refused in words
png_header() { # png_header W H FILE: a PNG's signature and IHDR alone, claiming W x H gray pixels
    be32() { printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"; }
    { printf 'IHDR'; be32 "$1"; be32 "$2"; printf '\010\000\000\000\000'; } > "$3.ihdr"
    set -- "$1" "$2" "$3" $(gzip -c < "$3.ihdr" | tail -c 8 | head -c 4 | od -An -tu1) # the chunk's CRC-32 (gzip's, little-endian)
    { printf '\211PNG\r\n\032\n\000\000\000\015'; cat "$3.ihdr"; be32 $(($7 << 24 | $6 << 16 | $5 << 8 | $4)); } > "$3"
    rm -f "$3.ihdr"
}
png_header 20000 20000 "$T/big.png"
expect 1 "'$T/big.png' is 20000x20000; images are read up to 4096x4096" $CLI project --model models/mnist-dcgan.gpm --png "$T/big.png" --out "$T/x.png"
expect 1 "'$T/big.png' is 20000x20000; images are read up to 4096x4096" $CLI project --model models/mnist-dcgan.gpm --png "$T/one.png" --mask "$T/big.png" --out "$T/x.png"
expect 1 "'$T/big.png' is 20000x20000, not a grid of 28x28 images" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --png "$T/big.png"
png_header 12002 9002 "$T/cells.png" # 400 x 300 cells
expect 1 "is 12002x9002, a grid of 120000 cells; at most 100000 images are scored" $CLI score --classifier models/mnist-classifier.gpc --data $DATA --png "$T/cells.png"
expect 2 "invalid value '0' for --steps" $CLI project --model models/mnist-dcgan.gpm --png "$T/one.png" --out "$T/x.png" --steps 0

# project --upscale K / --colourise: a small picture (the model's size over K) matched through an area downscale,
# a colour model's gray through the luminance; the sizes and the operators' refusals
small_png() { # small_png W H FILE: a W x H gray PNG, a light vertical bar on black (a "1")
    node -e '
const zlib = require("zlib"), fs = require("fs"), [w, h, out] = [+process.argv[1], +process.argv[2], process.argv[3]];
const crc = (b) => { let c = ~0; for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1; } return ~c >>> 0; };
const chunk = (type, data) => { const b = Buffer.alloc(12 + data.length); b.writeUInt32BE(data.length, 0); b.write(type, 4, "latin1");
  data.copy(b, 8); b.writeUInt32BE(crc(b.subarray(4, 8 + data.length)), 8 + data.length); return b; };
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;
const raw = Buffer.alloc(h * (w + 1));
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = Math.abs(x - (w - 1) / 2) < w / 7 && y > h / 8 && y < h - h / 8 ? 255 : 0;
fs.writeFileSync(out, Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]));
' "$1" "$2" "$3"
}
png_size() { od -An -tu4 --endian=big -j16 -N8 "$1" | awk '{print $1 "x" $2}'; } # a PNG's W x H from its IHDR
small_png 7 7 "$T/small7.png"
small_png 14 14 "$T/small14.png"
small_png 28 28 "$T/small28.png"
out=$($CLI project --model models/mnist-cdcgan.gpm --png "$T/small7.png" --out "$T/up.png" --upscale 4 --steps 30 --starts 10)
if printf '%s' "$out" | grep -Eq '^\{"loss":[0-9.]+,"class":[0-9],"start":[0-9]+,"mean_z2":[0-9.]+,"steps":30\}$' &&
    [ "$(png_size "$T/up.png")" = 32x32 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: project --upscale 4 of a 7x7 picture: $out, $(png_size "$T/up.png")"; fi
expect 0 '"class":1' $CLI project --model models/mnist-cdcgan.gpm --png "$T/small14.png" --out "$T/up.png" --upscale 2 --class 1 --steps 5
expect 1 "is 28x28; with --upscale 4 it must be 7x7 (the model's 28x28 over 4)" $CLI project --model models/mnist-cdcgan.gpm --png "$T/small28.png" --out "$T/x.png" --upscale 4
expect 1 "is 14x14; with --upscale 4 it must be 7x7" $CLI project --model models/mnist-cdcgan.gpm --png "$T/small7.png" --mask "$T/small14.png" --out "$T/x.png" --upscale 4
expect 2 "the upscaling factor 5 does not divide the model's 28x28 images" $CLI project --model models/mnist-cdcgan.gpm --png "$T/small7.png" --out "$T/x.png" --upscale 5
expect 2 "invalid value '0' for --upscale" $CLI project --model models/mnist-cdcgan.gpm --png "$T/small7.png" --out "$T/x.png" --upscale 0
expect 2 "colourising needs a colour model; this one has 1 channel" $CLI project --model models/mnist-cdcgan.gpm --png "$T/small28.png" --out "$T/x.png" --colourise
expect 2 "upscale and --colourise do not go together" $CLI project --model models/emoji-cdcgan.gpm --png "$T/small28.png" --out "$T/x.png" --colourise --upscale 2
has_help project options --upscale --colourise

# colour: a 3x32x32 model from the emoji data (its image shape and class names), sampled as RGB grids and
# C x H x W floats, projected from a colour picture, scored; the references for a colour FD
EMOJI=build/data/emoji32.bin
$CLI train --preset dcgan --data $EMOJI --cond acgan --steps 2 --seed 1 --batch 8 --out "$T/e.gpm" > /dev/null ||
    { fail=$((fail + 1)); echo "FAIL: a colour DCGAN trains"; }
expect 0 '"image":{"channels":3,"height":32,"width":32}' $CLI info --model "$T/e.gpm"
expect 0 '"class_names":\["Smileys","People","Animals","Food","Travel","Activities","Objects","Symbols","Flags"\]' $CLI info --model "$T/e.gpm"
expect 0 "wrote 11 samples" $CLI sample --model "$T/e.gpm" --count 11 --seed 3 --raw "$T/e.f32" --labels "$T/e.txt"
[ "$(wc -c < "$T/e.f32")" -eq $((11 * 3 * 32 * 32 * 4)) ] && [ "$(wc -l < "$T/e.txt")" -eq 11 ] && [ "$(sed -n 10p "$T/e.txt")" = 0 ] &&
    pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: sample --raw of a colour model: 11 x 3 x 32 x 32 floats, 11 labels in turn"; }
expect 0 "wrote" $CLI sample --model "$T/e.gpm" --count 4 --seed 3 --png "$T/e.png"
# the PNG is RGB: IHDR's colour type (byte 25) is 2
[ "$(od -An -tu1 -j25 -N1 "$T/e.png" | tr -d ' ')" = 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: a colour grid PNG is RGB"; }
expect 0 "wrote" $CLI sample --model "$T/e.gpm" --count 1 --seed 5 --png "$T/e1.png"
expect 0 "" $CLI project --model "$T/e.gpm" --png "$T/e1.png" --out "$T/ep.png" --steps 3
[ "$(od -An -tu1 -j25 -N1 "$T/ep.png" | tr -d ' ')" = 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: a colour projection writes RGB"; }
# colourising: a picture's gray (a gray PNG, or a colour one's luminance) gives a colour image of the model's size
small_png 32 32 "$T/gray32.png"
expect 0 '"steps":3}' $CLI project --model models/emoji-cdcgan.gpm --png "$T/gray32.png" --out "$T/col.png" --colourise --steps 3 --starts 2
[ "$(od -An -tu1 -j25 -N1 "$T/col.png" | tr -d ' ')" = 2 ] && [ "$(png_size "$T/col.png")" = 36x36 ] && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: colourising writes an RGB image of the model's size"; }
expect 0 '"steps":3}' $CLI project --model "$T/e.gpm" --png "$T/e1.png" --out "$T/col.png" --colourise --steps 3
expect 2 "upscaling factor 3 does not divide the model's 32x32" $CLI project --model "$T/e.gpm" --png "$T/e1.png" --out "$T/x.png" --upscale 3
expect 1 "dataset images are 3x32x32, the model makes 1x28x28" $CLI train --data $EMOJI --steps 1 --resume "$T/m.gpm" --out "$T/x.gpm"
$CLI train-classifier --data $EMOJI --steps 3 --seed 1 --batch 8 --out "$T/e.gpc" > /dev/null || { fail=$((fail + 1)); echo "FAIL: a colour classifier trains"; }
expect 0 "emoji FD [0-9.]* (against 762 held-out images)" $CLI score --classifier "$T/e.gpc" --data $EMOJI --raw "$T/e.f32" --labels "$T/e.txt"
expect 0 "emoji FD [0-9.]* (against 762 held-out images)" $CLI score --classifier "$T/e.gpc" --data $EMOJI --png "$T/e.png"
expect 0 "emoji FD 0.000 (against 762 held-out images)" $CLI score --classifier "$T/e.gpc" --data $EMOJI --real 762 --held-out
expect 0 "held-out images: 762 images, blurred" $CLI score --classifier "$T/e.gpc" --data $EMOJI --real 900 --held-out --blur 3
expect 0 "against 3050 training images" $CLI score --classifier "$T/e.gpc" --data $EMOJI --real 10 --against-train
expect 2 "odd size" $CLI score --classifier "$T/e.gpc" --data $EMOJI --real 10 --blur 4
expect 2 "invalid value '11' for --blur" $CLI score --classifier "$T/e.gpc" --data $EMOJI --real 10 --blur 11
expect 2 "blur with --raw, --png or --real" $CLI score --classifier "$T/e.gpc" --data $EMOJI --model "$T/e.gpm" --blur 3
expect 2 "held-out with --real" $CLI score --classifier "$T/e.gpc" --data $EMOJI --raw "$T/e.f32" --held-out
expect 1 "3x32x32" $CLI score --classifier models/mnist-classifier.gpc --data $EMOJI --real 10

# directions: JSON with the contract's keys (name, kind, monotonicity, class_retention), the classifier beside the
# model by default; sample moves every latent along one by name
expect 0 '"name":"thickness","kind":"attribute"' $CLI directions --model "$T/m.gpm" --fit 256 --samples 16
expect 0 '"name":"pc1","kind":"principal"' $CLI directions --model "$T/m.gpm" --fit 256 --samples 16 --principal 2
expect 0 '"classifier":null.*"monotonicity":[0-9.]*,"class_retention":null' $CLI directions --model "$T/m.gpm" --fit 256 --samples 16
expect 0 '"classifier":"models/mnist-classifier.gpc".*"class_retention":[0-9.]*,"class_read_ends":\[[0-9.]*,[0-9.]*\],"class_read_at_0":[0-9.]*' $CLI directions --model models/mnist-cdcgan.gpm --fit 256 --samples 16 --principal 1
expect 0 '"name":"brightness"' $CLI directions --model "$T/e.gpm" --fit 256 --samples 16 --principal 0
expect 2 "needs --model" $CLI directions
expect 2 "invalid value '10' for --fit" $CLI directions --model "$T/m.gpm" --fit 10
expect 2 "invalid value '7' for --principal" $CLI directions --model "$T/m.gpm" --principal 7
printf 'not a classifier' > "$T/bad.gpc"
expect 1 "classifier" $CLI directions --model "$T/m.gpm" --classifier "$T/bad.gpc" --fit 256 --samples 16
$CLI sample --model "$T/c.gpm" --count 4 --seed 3 --raw "$T/d0.f32" > /dev/null
$CLI sample --model "$T/c.gpm" --count 4 --seed 3 --raw "$T/d1.f32" --direction slant --amount 0 > /dev/null
$CLI sample --model "$T/c.gpm" --count 4 --seed 3 --raw "$T/d2.f32" --direction slant --amount 2 > /dev/null
if cmp -s "$T/d0.f32" "$T/d1.f32" && ! cmp -s "$T/d0.f32" "$T/d2.f32"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: sample --direction moves the latents by --amount (0: the same images)"; fi
expect 2 "no such direction (it has: thickness, slant, width, height, pc1" $CLI sample --model "$T/c.gpm" --count 1 --seed 1 --raw "$T/x.f32" --direction bold --amount 1
expect 2 "direction and --amount go together" $CLI sample --model "$T/c.gpm" --count 1 --seed 1 --raw "$T/x.f32" --direction slant
expect 2 "direction and --amount go together" $CLI sample --model "$T/c.gpm" --count 1 --seed 1 --raw "$T/x.f32" --amount 1
expect 2 "invalid value '11' for --amount" $CLI sample --model "$T/c.gpm" --count 1 --seed 1 --raw "$T/x.f32" --direction slant --amount 11
# provenance: every PNG written says what made it (its 'ganplay' text chunk), and info --png reads it back
prov_of() { $CLI info --png "$1" 2>&1; }
hash_of() { prov_of "$1" | sed -n 's/.*"weights":"\(fnv1a64:[0-9a-f]\{16\}\)".*/\1/p'; }
$CLI sample --model models/mnist-cdcgan.gpm --count 16 --seed 42 --png "$T/p.png" > /dev/null
h=$(hash_of "$T/p.png")
[ -n "$h" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: sample's PNG names a weights hash: $(prov_of "$T/p.png")"; }
want="{\"software\":\"ganplay\",\"model\":\"mnist-cdcgan\",\"weights\":\"$h\",\"seed\":42,\"index\":0,\"count\":16,\"class\":null,\"directions\":{},\"units_off\":null,\"what\":\"sample\"}"
[ "$(prov_of "$T/p.png")" = "$want" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: info --png: $(prov_of "$T/p.png")"; }
$CLI sample --model models/mnist-cdcgan.gpm --count 3 --seed 7 --class 4 --png "$T/p4.png" > /dev/null
expect 0 '"seed":7,"index":0,"count":3,"class":4,' $CLI info --png "$T/p4.png"
# latents from --z: no seed, no index
head -c $((2 * 100 * 4)) /dev/zero > "$T/z0.f32"
$CLI sample --model models/mnist-cdcgan.gpm --count 2 --z "$T/z0.f32" --png "$T/pz.png" > /dev/null
expect 0 '"seed":null,"index":null,"count":2,' $CLI info --png "$T/pz.png"
# the same model names the same hash in every picture (and a float32 copy of its float16 file too); another model another
$CLI sample --model models/mnist-cdcgan.gpm --count 1 --seed 3 --png "$T/p1.png" > /dev/null
$CLI project --model models/mnist-cdcgan.gpm --png "$T/p1.png" --out "$T/pp.png" --trace "$T/pt.png" --steps 30 > /dev/null
expect 0 "\"model\":\"mnist-cdcgan\",\"weights\":\"$h\",\"seed\":1,\"index\":null,\"count\":1,\"class\":[0-9],.*\"what\":\"project\"" $CLI info --png "$T/pp.png"
expect 0 "\"weights\":\"$h\",.*\"count\":2,.*\"what\":\"project-trace\"" $CLI info --png "$T/pt.png"
$CLI export --model models/mnist-cdcgan.gpm --out "$T/copy32.gpm" > /dev/null
$CLI sample --model "$T/copy32.gpm" --count 1 --seed 3 --png "$T/pc.png" > /dev/null
expect 0 "\"model\":\"copy32\",\"weights\":\"$h\"" $CLI info --png "$T/pc.png"
$CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 3 --png "$T/pd.png" > /dev/null
h2=$(hash_of "$T/pd.png")
[ -n "$h2" ] && [ "$h2" != "$h" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: another model, another hash: $h2 vs $h"; }
# a PNG without the chunk, a damaged one, a file that is no PNG: one clear error each, exit 1
expect 1 "has no 'ganplay' text chunk" $CLI info --png web/screenshots/overview.png
expect 1 "not a PNG file" $CLI info --png $DATA
expect 1 "cannot\|No such" $CLI info --png "$T/none.png"
head -c 100 "$T/p.png" > "$T/cut.png"
expect 1 "tEXt chunk at byte 61 claims [0-9]* bytes, more than the file holds (cut short" $CLI info --png "$T/cut.png"
cp "$T/p.png" "$T/crc.png"; printf 'X' | dd of="$T/crc.png" bs=1 seek=80 conv=notrunc 2> /dev/null
expect 1 "tEXt chunk at byte 61 fails its CRC" $CLI info --png "$T/crc.png"
cp "$T/p.png" "$T/huge.png"; printf '\377\377\377\360' | dd of="$T/huge.png" bs=1 seek=61 conv=notrunc 2> /dev/null
expect 1 "tEXt chunk at byte 61 claims 4294967280 bytes, more than the file holds" $CLI info --png "$T/huge.png"
expect 2 "needs --model or --png" $CLI info --model models/mnist-cdcgan.gpm --png "$T/p.png"
expect 2 "needs --model or --png" $CLI info
# units switched off: the images change, a bad layer or unit is refused with the layers that have units
$CLI sample --model models/mnist-dcgan.gpm --count 4 --seed 2 --raw "$T/u0.f32" > /dev/null
expect 0 "wrote 4 samples" $CLI sample --model models/mnist-dcgan.gpm --count 4 --seed 2 --raw "$T/u1.f32" --units-off 6:13,0,29
expect 0 "wrote 4 samples" $CLI sample --model models/mnist-dcgan.gpm --count 4 --seed 2 --raw "$T/u2.f32" --units-off 3:0
! cmp -s "$T/u0.f32" "$T/u1.f32" && ! cmp -s "$T/u0.f32" "$T/u2.f32" && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: sample --units-off changes the images"; }
expect 2 "layer 2 of the generator has no unit maps (the layers with maps: 3, 6)" $CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 2 --raw "$T/x.f32" --units-off 2:1
expect 2 "layer 6 has units 0..63, got 64" $CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 2 --raw "$T/x.f32" --units-off 6:1,64
expect 2 "expected LAYER:U,U,..." $CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 2 --raw "$T/x.f32" --units-off 6:1,
expect 2 "expected LAYER:U,U,..." $CLI sample --model models/mnist-dcgan.gpm --count 1 --seed 2 --raw "$T/x.f32" --units-off 6

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
