#include "common.cuh"

// Masked next-token cross-entropy of one row per block: losses (N) fp32 (0 where targets[n] < 0) and dlogits
// (N, V) bf16 = gradScale·(softmax − onehot(target)), zero on ignored rows.
extern "C" __global__ void cross_entropy(float* losses, bf16* dlogits, const float* logits, const int* targets,
                                         int V, float gradScale) {
    __shared__ float scratch[ROW_THREADS];
    const long n = blockIdx.x;
    const float* row = logits + n * V;
    bf16* drow = dlogits + n * V;
    const int target = targets[n];
    if (target < 0) {
        for (int i = threadIdx.x; i < V; i += ROW_THREADS) drow[i] = 0;
        if (threadIdx.x == 0) losses[n] = 0.f;
        return;
    }
    // One read of the row for the max and the sum together (online softmax: a thread's running sum is rescaled
    // when its maximum grows), then the threads' pairs combined in the block's fixed tree.
    float threadMax = NEG_INFINITY, threadSum = 0.f;
    for (int i = threadIdx.x; i < V; i += ROW_THREADS) {
        const float x = row[i];
        if (x > threadMax) {
            threadSum = threadSum * expf(threadMax - x) + 1.f;
            threadMax = x;
        } else {
            threadSum += expf(x - threadMax);
        }
    }
    const float m = block_max(threadMax, scratch);
    const float z = block_sum(threadMax == NEG_INFINITY ? 0.f : threadSum * expf(threadMax - m), scratch);
    const float inverse = 1.f / z;
    for (int i = threadIdx.x; i < V; i += ROW_THREADS) {
        float g = expf(row[i] - m) * inverse * gradScale;
        if (i == target) g -= gradScale;
        drow[i] = float_to_bf16(g);
    }
    if (threadIdx.x == 0) losses[n] = m + logf(z) - row[target];
}
