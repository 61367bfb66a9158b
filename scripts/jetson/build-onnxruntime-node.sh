#!/usr/bin/env bash
# Builds onnxruntime's Node.js binding with the CUDA and TensorRT execution providers on an NVIDIA
# Jetson (JetPack 6, Orin, arm64), and installs it into this checkout's node_modules so that the
# model runtime (models/runtime) can choose TensorRT → CUDA → CPU.
#
# NOT RUN in this project's CI or development machines (x86-64, no GPU, no access to GitHub):
# see docs/jetson-gpu.md for what was and was not verified.
#
# usage (on the Jetson, from the repository root, after `npm install`):
#   scripts/jetson/build-onnxruntime-node.sh [--src DIR] [--jobs N]
set -euo pipefail

SRC="${HOME}/onnxruntime"
JOBS="$(nproc)"
while [ $# -gt 0 ]; do
  case "$1" in
    --src) SRC="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

[ "$(uname -m)" = aarch64 ] || { echo "this script builds for a Jetson (aarch64); this machine is $(uname -m)" >&2; exit 1; }
[ -x /usr/local/cuda/bin/nvcc ] || { echo "CUDA not found at /usr/local/cuda: install JetPack (nvidia-jetpack)" >&2; exit 1; }
ls /usr/lib/aarch64-linux-gnu/libnvinfer.so* >/dev/null 2>&1 || { echo "TensorRT not found: apt-get install nvidia-tensorrt (JetPack)" >&2; exit 1; }

# The binding must match the onnxruntime-node version the project installed.
VERSION="$(node -p "require('./node_modules/onnxruntime-node/package.json').version")"
if [ ! -d "$SRC/.git" ]; then
  git clone --recursive --branch "v$VERSION" --depth 1 https://github.com/microsoft/onnxruntime "$SRC"
fi

(
  cd "$SRC"
  # Orin is compute capability 8.7.
  ./build.sh --config Release --build_shared_lib --parallel "$JOBS" --skip_tests \
    --use_cuda --cuda_home /usr/local/cuda --cudnn_home /usr/lib/aarch64-linux-gnu \
    --use_tensorrt --tensorrt_home /usr/lib/aarch64-linux-gnu \
    --build_nodejs \
    --cmake_extra_defines CMAKE_CUDA_ARCHITECTURES=87 onnxruntime_BUILD_UNIT_TESTS=OFF
)

BUILT="$(ls -d "$SRC"/js/node/bin/napi-v*/linux/arm64 | head -n 1)"
DEST="node_modules/onnxruntime-node/bin/$(basename "$(dirname "$(dirname "$BUILT")")")/linux/arm64"
mkdir -p "$DEST"
cp -a "$BUILT"/. "$DEST"/
cp -a "$SRC"/build/Linux/Release/libonnxruntime_providers_{shared,cuda,tensorrt}.so "$DEST"/

node -e "
  const ort = require('onnxruntime-node');
  console.log('onnxruntime-node', require('onnxruntime-node/package.json').version, 'backends:', JSON.stringify(ort.listSupportedBackends()));
"
echo "installed into $DEST; start the device and look for 'runs on the tensorrt execution provider' in the log"
