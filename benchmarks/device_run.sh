#!/usr/bin/env bash
# How the GPU numbers in docs/performance.md were taken, on a lent H100
# machine with no network: its Python (3.12) has JAX and PyTorch with CUDA
# but no TensorFlow, Keras or nbgrader, so those arrive as wheels in .whl/
# and the datasets in .gpudata/ (neither is committed).
# Usage: benchmarks/device_run.sh STEP...   (steps: doctor, grading, epochs, parity)
set -uo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  || exit 1
export PYTHONPATH="/tmp/site:$PWD" PATH="/tmp/site/bin:$PATH" JUPYTER_PATH="/tmp/site/share/jupyter" AUTOGRADER_DATA_DIR="$PWD/.gpudata" AUTOGRADER_OFFLINE=1
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1 MPLBACKEND=Agg
out=${OUT:-/tmp/out}
mkdir -p "$out"
for step in "$@"; do
  case "$step" in
    doctor) date; python3 -m autograder.cli doctor 2>&1 | tee "$out/doctor.txt"; nvidia-smi -L ;;
    grading) for backend in jax torch; do
               python3 benchmarks/grading.py --backend "$backend" --copies 6 --workers 1,default \
                 fashion_dense conv_mechanics 2>&1 | grep -v "^I0000\|^W0000" | tee "$out/grading-$backend.txt"
             done ;;
    epochs) python3 benchmarks/epoch_time.py --backends jax,torch --settings plain,steps,device,tuned \
              fashion_dense fashion_cnn conv_mechanics 2>&1 | tee "$out/epochs.txt" ;;
    parity) for backend in jax torch; do
              python3 benchmarks/backend_parity.py --backends "$backend" fashion_dense conv_mechanics 2>&1 \
                | tee "$out/parity-$backend.txt"
            done ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
