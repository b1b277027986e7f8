#include "common.cuh"

// x (N, C) fp32 = table[tokens[n]] (fp32 master embedding rows).
extern "C" __global__ void embedding_forward(float* out, const int* tokens, const float* table, int N, int C) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)N * C) return;
    const long n = i / C, c = i % C;
    out[i] = table[(long)tokens[n] * C + c];
}

// dtable[v] += Σ dout[n] over the rows n whose token is v, rows in ascending order. The host sorts the tokens
// into `unique` (U ids) with their rows in `rows`, ranges `starts` (U + 1): one block per distinct token, so no
// two blocks touch one row of the table (no atomics, a fixed order).
extern "C" __global__ void embedding_backward(float* dtable, const float* dout, const int* unique, const int* starts,
                                              const int* rows, int C) {
    const int u = blockIdx.x;
    const long v = unique[u];
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
        float sum = 0.f;
        for (int j = starts[u]; j < starts[u + 1]; j++) sum += dout[(long)rows[j] * C + c];
        dtable[v * C + c] += sum;
    }
}

__device__ __forceinline__ float load_activation(const float* p) { return *p; }
__device__ __forceinline__ float load_activation(const bf16* p) { return bf16_to_float(*p); }

// hidden (N, I) bf16 = silu(gate)·up from gateUp (N, 2I) = [gate | up] per row: bf16 in training (the GEMM's
// bf16 output; the largest activation, read again by the backward), fp32 in decoding (one row per sequence).
template <typename Activation>
__device__ __forceinline__ void swiglu(bf16* out, const Activation* gateUp, int N, int I) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)N * I) return;
    const long n = i / I, j = i % I;
    const float g = load_activation(gateUp + n * 2 * I + j), u = load_activation(gateUp + n * 2 * I + I + j);
    const float s = 1.f / (1.f + expf(-g));
    out[i] = float_to_bf16(g * s * u);
}

extern "C" __global__ void swiglu_forward(bf16* out, const float* gateUp, int N, int I) { swiglu(out, gateUp, N, I); }

extern "C" __global__ void swiglu_forward_bf16(bf16* out, const bf16* gateUp, int N, int I) { swiglu(out, gateUp, N, I); }

// dGateUp (N, 2I) bf16 from dHidden (N, I) fp32: d/dgate = dh·up·σ(g)(1 + g(1 − σ(g))), d/dup = dh·g·σ(g).
extern "C" __global__ void swiglu_backward(bf16* dGateUp, const float* dHidden, const bf16* gateUp, int N, int I) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)N * I) return;
    const long n = i / I, j = i % I;
    const float g = bf16_to_float(gateUp[n * 2 * I + j]), u = bf16_to_float(gateUp[n * 2 * I + I + j]);
    const float s = 1.f / (1.f + expf(-g));
    const float dh = dHidden[i];
    dGateUp[n * 2 * I + I + j] = float_to_bf16(dh * (g * s));
    dGateUp[n * 2 * I + j] = float_to_bf16(dh * u * (s * (1.f + g * (1.f - s))));
}

extern "C" __global__ void convert_f32_to_bf16(bf16* out, const float* inp, long count) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) out[i] = float_to_bf16(inp[i]);
}

// out (M, C) = inp rows `rows[m]` (M, C).
extern "C" __global__ void gather_rows(float* out, const float* inp, const int* rows, int M, int C) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)M * C) return;
    out[i] = inp[(long)rows[i / C] * C + i % C];
}

// Column sums in two deterministic passes: partials (chunks, M) = Σ over each chunk of rows of x[n, m]
// (one thread per (chunk, column)), then `sum_partials` adds the chunks in order.
extern "C" __global__ void column_sum_partial(float* partials, const float* x, int N, int M, int chunk) {
    const int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    const int first = blockIdx.y * chunk, last = min(N, first + chunk);
    float sum = 0.f;
    for (int n = first; n < last; n++) sum += x[(long)n * M + m];
    partials[(long)blockIdx.y * M + m] = sum;
}

// out (M) += Σ_j partials[j, m] for j = 0, 1, ... in order.
extern "C" __global__ void sum_partials(float* out, const float* partials, int chunks, int M) {
    const int m = blockIdx.x * blockDim.x + threadIdx.x;
    if (m >= M) return;
    float sum = 0.f;
    for (int j = 0; j < chunks; j++) sum += partials[(long)j * M + m];
    out[m] += sum;
}

// partials[b] = Σ x² over chunk b (`chunk` elements), in double, one fixed tree per block.
extern "C" __global__ void sum_squares(double* partials, const float* x, long count, long chunk) {
    __shared__ double scratch[ROW_THREADS];
    const long start = (long)blockIdx.x * chunk;
    const long end = start + chunk < count ? start + chunk : count;
    double sum = 0.0;
    for (long i = start + threadIdx.x; i < end; i += ROW_THREADS) sum += (double)x[i] * (double)x[i];
    scratch[threadIdx.x] = sum;
    __syncthreads();
    for (int stride = ROW_THREADS / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) scratch[threadIdx.x] += scratch[threadIdx.x + stride];
        __syncthreads();
    }
    if (threadIdx.x == 0) partials[blockIdx.x] = scratch[0];
}

// AdamW (torch semantics, decoupled decay only where decays[i]); writes the fp32 master and its bf16 copy.
extern "C" __global__ void adamw_step(float* params, bf16* params16, float* m, float* v, const float* grads,
                                      const unsigned char* decays, long count, float lr, float beta1, float beta2,
                                      float eps, float weightDecay, float stepSize, float correction2,
                                      float gradientScale) {
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    const float g = grads[i] * gradientScale;  // clipping by global norm, folded in (× 1 when not clipped: exact)
    float p = params[i];
    if (decays[i]) p *= 1.f - lr * weightDecay;
    const float mi = beta1 * m[i] + (1.f - beta1) * g;
    const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p -= stepSize * (mi / (sqrtf(vi) / correction2 + eps));
    params[i] = p;
    params16[i] = float_to_bf16(p);
}

// ids[n] = argmax logits[n, :], the lowest index on ties. One block per row.
extern "C" __global__ void argmax_rows(int* ids, const float* logits, int V) {
    __shared__ float best[ROW_THREADS];
    __shared__ int where[ROW_THREADS];
    const long n = blockIdx.x;
    float b = NEG_INFINITY;
    int w = 0x7fffffff;
    for (int i = threadIdx.x; i < V; i += ROW_THREADS) {
        const float x = logits[n * V + i];
        if (x > b) { b = x; w = i; }
    }
    best[threadIdx.x] = b;
    where[threadIdx.x] = w;
    __syncthreads();
    for (int stride = ROW_THREADS / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            const float o = best[threadIdx.x + stride];
            const int ow = where[threadIdx.x + stride];
            if (o > best[threadIdx.x] || (o == best[threadIdx.x] && ow < where[threadIdx.x])) {
                best[threadIdx.x] = o;
                where[threadIdx.x] = ow;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) ids[n] = where[0];
}
