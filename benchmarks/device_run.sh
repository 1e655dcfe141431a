#!/usr/bin/env bash
# How the GPU numbers in docs/performance.md were taken, on a lent H100
# machine with no network: its Python (3.12) has JAX and PyTorch with CUDA
# but no TensorFlow, Keras or nbgrader, so those arrive as wheels in .whl/
# and the datasets in folders named .gpu*/ (none of them committed). One
# call carries at most 64 MiB, so a file too big for it travels in parts
# (NAME.part-*, beside NAME.sha256) over several calls on one warm machine:
# every call adds what it carries to /tmp/gpudata and joins the parts once
# they are all there. Wheels installed by an earlier call are kept too.
#
# Usage: benchmarks/device_run.sh STEP...
#   doctor
#   grading:ASSIGNMENT:BACKEND:COPIES:WORKERS   (WORKERS: a number or default)
#   epochs:ASSIGNMENT[,..]:BACKEND[,..]:SETTING[,..]
#   repeat:ASSIGNMENT[,..]:BACKEND
# Each step's output goes to $OUT/NN-STEP.txt (at most 8 come back).
#
# Session 4's calls (30 minutes of device time, one warm machine):
#   carry .whl .gpudata (wheels, MNIST, Fashion-MNIST):
#     grading:fashion_cnn:jax:1:1 grading:fashion_cnn:jax:8:default
#     grading:conv_mechanics:jax:1:1 grading:fashion_cnn:torch:8:default
#   carry .gpucifar-a (cifar10.npz.part-a and .sha256, from `split -n 2`):
#     epochs:fashion_cnn:jax:plain,steps,device epochs:fashion_cnn,fashion_dense:torch:plain,device
#     epochs:fashion_dense,conv_mechanics:jax:plain,device
#     repeat:fashion_dense,fashion_cnn,conv_mechanics:jax
#   carry .gpucifar-b (part-b and .sha256):
#     epochs:cifar10_cnn:jax:plain,steps,device repeat:cifar10_cnn:jax
#     grading:cifar10_cnn:jax:1:1 grading:cifar10_cnn:jax:8:default epochs:cifar10_cnn:torch:plain
#   then repeat:fashion_dense:torch and repeat:conv_mechanics:torch.
set -uo pipefail
cd "$(dirname "$0")/.."
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || exit 1
fi
[ -d /tmp/site/keras ] || { echo "no wheels installed: carry .whl" >&2; exit 1; }
data=/tmp/gpudata
mkdir -p "$data"
for folder in .gpu*/; do [ -d "$folder" ] && cp -n "$folder"* "$data"/ 2>/dev/null; done
for checksum in "$data"/*.sha256; do
  [ -e "$checksum" ] || continue
  target=${checksum%.sha256}
  [ -e "$target" ] && continue
  cat "$target".part-* >"$target.joined" 2>/dev/null
  if [ "$(sha256sum <"$target.joined" | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$checksum")" ]; then
    mv "$target.joined" "$target" && rm -f "$target".part-* && echo "joined $target"
  else
    rm -f "$target.joined"; echo "$(basename "$target"): parts so far: $(ls "$target".part-* 2>/dev/null | wc -l)"
  fi
done
export PYTHONPATH="/tmp/site:$PWD" PATH="/tmp/site/bin:$PATH" JUPYTER_PATH="/tmp/site/share/jupyter"
export AUTOGRADER_DATA_DIR="$data" AUTOGRADER_OFFLINE=1 PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
out=${OUT:-/tmp/out}
mkdir -p "$out"
number=0
for step in "$@"; do
  number=$((number + 1))
  IFS=: read -r kind first second third fourth <<<"$step"
  log="$out/$(printf %02d "$number")-${step//[:,]/_}.txt"
  echo "== $step ($(date +%T))"
  case "$kind" in
    doctor) { python3 -m autograder.cli doctor; nvidia-smi -L; } 2>&1 | tee "$log" ;;
    grading) python3 benchmarks/grading.py --backend "$second" --copies "$third" --workers "$fourth" "$first" 2>&1 \
               | grep -v "^I0000\|^W0000" | tee "$log" ;;
    epochs) python3 benchmarks/epoch_time.py --backends "$second" --settings "$third" ${first//,/ } 2>&1 | tee "$log" ;;
    repeat) python3 benchmarks/repeatability.py --backend "$second" ${first//,/ } 2>&1 \
              | grep -v "^I0000\|^W0000" | tee "$log" ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
