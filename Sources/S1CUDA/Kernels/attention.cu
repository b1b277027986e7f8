#include "common.cuh"

// ---- Training (full sequences, B × T, positions 0..<T): scores through batched GEMMs, these kernels between. ----

// qkv (N, Hq·d + 2·Hk·d) fp32 + bias → q (B, Hq, T, d) bf16 with RoPE; k (RoPE) and v repeated to every query
// head of their group: (B, Hq, T, d) bf16, so the score and value GEMMs are plain strided batches.
// grid (N, 3): y = 0 → q, 1 → k, 2 → v; threads over the head elements.
extern "C" __global__ void qkv_to_heads(bf16* q, bf16* k, bf16* v, const float* qkv, const float* bias,
                                        const float* cosTable, const float* sinTable, int T, int Hq, int Hk, int d) {
    const long n = blockIdx.x;
    const int part = blockIdx.y;
    const long b = n / T, t = n % T;
    const int half = d / 2, group = Hq / Hk, qDim = Hq * d, kvDim = Hk * d;
    const float* row = qkv + n * (qDim + 2 * kvDim);
    const float* c = cosTable + t * half;
    const float* s = sinTable + t * half;
    if (part < 2) {
        for (int e = threadIdx.x; e < Hq * half; e += blockDim.x) {
            const int h = e / half, i = e % half;
            const int col = part == 0 ? h * d : qDim + (h / group) * d;
            const float a = row[col + i] + bias[col + i], bb = row[col + i + half] + bias[col + i + half];
            bf16* out = (part == 0 ? q : k) + ((b * Hq + h) * T + t) * d;
            out[i] = float_to_bf16(a * c[i] - bb * s[i]);
            out[i + half] = float_to_bf16(bb * c[i] + a * s[i]);
        }
    } else {
        for (int e = threadIdx.x; e < Hq * d; e += blockDim.x) {
            const int h = e / d, i = e % d;
            const int col = qDim + kvDim + (h / group) * d + i;
            v[((b * Hq + h) * T + t) * d + i] = float_to_bf16(row[col] + bias[col]);
        }
    }
}

// P (R, T) bf16 = causal softmax of the (already scaled) scores S (R, T) fp32, R = B·Hq·T rows, row r is the
// query t = r mod T; keys after t get 0. One block per row, fixed-order reductions.
extern "C" __global__ void softmax_causal(bf16* P, const float* S, int T) {
    __shared__ float scratch[ROW_THREADS];
    const long r = blockIdx.x;
    const int t = (int)(r % T);
    const float* row = S + r * T;
    float m = NEG_INFINITY;
    for (int j = threadIdx.x; j <= t; j += ROW_THREADS) m = fmaxf(m, row[j]);
    m = block_max(m, scratch);
    float partial = 0.f;
    for (int j = threadIdx.x; j <= t; j += ROW_THREADS) partial += expf(row[j] - m);
    const float inverse = 1.f / block_sum(partial, scratch);
    for (int j = threadIdx.x; j < T; j += ROW_THREADS)
        P[r * T + j] = float_to_bf16(j <= t ? expf(row[j] - m) * inverse : 0.f);
}

// dS (R, T) bf16 = scale · P ⊙ (dP − Σ_j P·dP) on the causal part, 0 elsewhere.
extern "C" __global__ void softmax_causal_backward(bf16* dS, const bf16* P, const float* dP, int T, float scale) {
    __shared__ float scratch[ROW_THREADS];
    const long r = blockIdx.x;
    const int t = (int)(r % T);
    float partial = 0.f;
    for (int j = threadIdx.x; j <= t; j += ROW_THREADS) partial += bf16_to_float(P[r * T + j]) * dP[r * T + j];
    const float dot = block_sum(partial, scratch);
    for (int j = threadIdx.x; j < T; j += ROW_THREADS) {
        const float p = j <= t ? bf16_to_float(P[r * T + j]) : 0.f;
        dS[r * T + j] = float_to_bf16(j <= t ? scale * p * (dP[r * T + j] - dot) : 0.f);
    }
}

// out (N, H·d) bf16 rows ← heads (B, H, T, d) fp32. One block per row n.
extern "C" __global__ void heads_to_rows(bf16* out, const float* heads, int T, int H, int d) {
    const long n = blockIdx.x, b = n / T, t = n % T;
    for (int e = threadIdx.x; e < H * d; e += blockDim.x) {
        const int h = e / d, i = e % d;
        out[n * H * d + e] = float_to_bf16(heads[((b * H + h) * T + t) * d + i]);
    }
}

// heads (B, H, T, d) bf16 ← rows (N, H·d) fp32. One block per row n.
extern "C" __global__ void rows_to_heads(bf16* heads, const float* rows, int T, int H, int d) {
    const long n = blockIdx.x, b = n / T, t = n % T;
    for (int e = threadIdx.x; e < H * d; e += blockDim.x) {
        const int h = e / d, i = e % d;
        heads[((b * H + h) * T + t) * d + i] = float_to_bf16(rows[n * H * d + e]);
    }
}

// dqkv (N, Hq·d + 2·Hk·d) fp32 from dq, dk, dv (B, Hq, T, d) fp32: k and v gradients of the query heads of a
// group summed in head order, then RoPE undone on q and k (rotation by −θ). grid (N, 3) like qkv_to_heads.
extern "C" __global__ void heads_to_qkv_backward(float* dqkv, const float* dq, const float* dk, const float* dv,
                                                 const float* cosTable, const float* sinTable, int T, int Hq, int Hk,
                                                 int d) {
    const long n = blockIdx.x;
    const int part = blockIdx.y;
    const long b = n / T, t = n % T;
    const int half = d / 2, group = Hq / Hk, qDim = Hq * d, kvDim = Hk * d;
    float* row = dqkv + n * (qDim + 2 * kvDim);
    const float* c = cosTable + t * half;
    const float* s = sinTable + t * half;
    if (part == 0) {
        for (int e = threadIdx.x; e < Hq * half; e += blockDim.x) {
            const int h = e / half, i = e % half;
            const float* g = dq + ((b * Hq + h) * T + t) * d;
            const float a = g[i], bb = g[i + half];
            row[h * d + i] = a * c[i] + bb * s[i];
            row[h * d + i + half] = bb * c[i] - a * s[i];
        }
    } else if (part == 1) {
        for (int e = threadIdx.x; e < Hk * half; e += blockDim.x) {
            const int kv = e / half, i = e % half;
            float a = 0.f, bb = 0.f;
            for (int h = kv * group; h < (kv + 1) * group; h++) {
                const float* g = dk + ((b * Hq + h) * T + t) * d;
                a += g[i];
                bb += g[i + half];
            }
            row[qDim + kv * d + i] = a * c[i] + bb * s[i];
            row[qDim + kv * d + i + half] = bb * c[i] - a * s[i];
        }
    } else {
        for (int e = threadIdx.x; e < Hk * d; e += blockDim.x) {
            const int kv = e / d, i = e % d;
            float sum = 0.f;
            for (int h = kv * group; h < (kv + 1) * group; h++) sum += dv[((b * Hq + h) * T + t) * d + i];
            row[qDim + kvDim + kv * d + i] = sum;
        }
    }
}

// ---- Decoding (rows of many sequences, each against its own KV cache) ----
// A sequence's cache is one allocation of bf16: layer l's keys at ((2l)·capacity + position)·Hk·d, its values at
// ((2l + 1)·capacity + position)·Hk·d. Rows carry their cache base address, capacity and position.

// q (N, Hq·d) fp32 with bias and RoPE; k (RoPE) and v with bias stored into each row's cache at its position.
extern "C" __global__ void decode_qkv_store(float* q, const float* qkv, const float* bias, const float* cosTable,
                                            const float* sinTable, const int* positions,
                                            const unsigned long long* cacheBase, const int* capacities, int layer,
                                            int Hq, int Hk, int d) {
    const long n = blockIdx.x;
    const int half = d / 2, qDim = Hq * d, kvDim = Hk * d;
    const int position = positions[n];
    const long capacity = capacities[n];
    const float* row = qkv + n * (qDim + 2 * kvDim);
    const float* c = cosTable + (long)position * half;
    const float* s = sinTable + (long)position * half;
    bf16* keys = (bf16*)cacheBase[n] + ((2L * layer) * capacity + position) * kvDim;
    bf16* values = (bf16*)cacheBase[n] + ((2L * layer + 1) * capacity + position) * kvDim;
    for (int e = threadIdx.x; e < (Hq + Hk) * half; e += blockDim.x) {
        const int h = e / half, i = e % half;
        const int col = h * d;  // q heads, then k heads (adjacent in the fused row)
        const float a = row[col + i] + bias[col + i], bb = row[col + i + half] + bias[col + i + half];
        const float x = a * c[i] - bb * s[i], y = bb * c[i] + a * s[i];
        if (h < Hq) {
            q[n * qDim + col + i] = x;
            q[n * qDim + col + i + half] = y;
        } else {
            keys[col - qDim + i] = float_to_bf16(x);
            keys[col - qDim + i + half] = float_to_bf16(y);
        }
    }
    for (int e = threadIdx.x; e < kvDim; e += blockDim.x) values[e] = float_to_bf16(row[qDim + kvDim + e] + bias[qDim + kvDim + e]);
}

// out (N, Hq·d) bf16: softmax(q·kᵀ·scale)·v of row n, head h over its cache positions 0...positions[n].
// One block per (n, h); `scores` (N·Hq, scoreStride) fp32 scratch. Each result depends on that row alone: how the
// work is split depends only on d, never on the batch.
//
// When d/8 divides 32 (d = 8 … 256; Qwen2's 64 and 128), d/8 lanes share a position: each multiplies 8 elements
// read in one 16-byte load and a fixed shuffle tree adds the lanes, so the block scores 256/(d/8) positions at a
// time; for P·v, position groups of d/8 threads each accumulate 8 columns over every groups-th position, and the
// groups' sums are added in group order. Other d take the plain loops.
extern "C" __global__ void decode_attention(bf16* out, float* scores, const float* q,
                                            const unsigned long long* cacheBase, const int* capacities,
                                            const int* positions, int layer, int Hq, int Hk, int d,
                                            long scoreStride, float scale) {
    __shared__ float scratch[ROW_THREADS * 8];
    const long n = blockIdx.x / Hq;
    const int h = blockIdx.x % Hq;
    const int count = positions[n] + 1, kvDim = Hk * d, g = h / (Hq / Hk);
    const long capacity = capacities[n];
    const bf16* keys = (const bf16*)cacheBase[n] + (2L * layer) * capacity * kvDim + g * d;
    const bf16* values = (const bf16*)cacheBase[n] + (2L * layer + 1) * capacity * kvDim + g * d;
    const float* query = q + n * Hq * d + h * d;
    float* row = scores + blockIdx.x * scoreStride;
    bf16* result = out + n * Hq * d + h * d;
    const int lanesPerPosition = d / 8;
    const bool vectorized = d % 8 == 0 && d <= 256 && 32 % lanesPerPosition == 0;
    float m = NEG_INFINITY;
    if (vectorized) {
        const int part = threadIdx.x % lanesPerPosition, slot = threadIdx.x / lanesPerPosition;
        const int perPass = ROW_THREADS / lanesPerPosition;
        float qPart[8];
        for (int e = 0; e < 8; e++) qPart[e] = query[part * 8 + e];
        for (int base = 0; base < count; base += perPass) {
            const int j = base + slot;
            float dot = 0.f;
            if (j < count) {
                const uint4 packed = *(const uint4*)(keys + (long)j * kvDim + part * 8);
                const bf16* k8 = (const bf16*)&packed;
                for (int e = 0; e < 8; e++) dot += qPart[e] * bf16_to_float(k8[e]);
            }
            for (int offset = lanesPerPosition / 2; offset > 0; offset >>= 1)
                dot += __shfl_xor_sync(0xffffffffu, dot, offset);
            if (j < count) {
                m = fmaxf(m, dot * scale);
                if (part == 0) row[j] = dot * scale;
            }
        }
    } else {
        for (int j = threadIdx.x; j < count; j += ROW_THREADS) {
            const bf16* key = keys + (long)j * kvDim;
            float dot = 0.f;
            for (int i = 0; i < d; i++) dot += query[i] * bf16_to_float(key[i]);
            row[j] = dot * scale;
            m = fmaxf(m, dot * scale);
        }
    }
    m = block_max(m, scratch);  // its barriers also publish row[]
    float partial = 0.f;
    for (int j = threadIdx.x; j < count; j += ROW_THREADS) {
        const float e = expf(row[j] - m);
        row[j] = e;
        partial += e;
    }
    const float inverse = 1.f / block_sum(partial, scratch);  // the barrier inside also publishes row[]
    if (vectorized) {
        const int part = threadIdx.x % lanesPerPosition, group = threadIdx.x / lanesPerPosition;
        const int groups = ROW_THREADS / lanesPerPosition;
        float acc[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
        for (int j = group; j < count; j += groups) {
            const float p = row[j];
            const uint4 packed = *(const uint4*)(values + (long)j * kvDim + part * 8);
            const bf16* v8 = (const bf16*)&packed;
            for (int e = 0; e < 8; e++) acc[e] += p * bf16_to_float(v8[e]);
        }
        for (int e = 0; e < 8; e++) scratch[group * d + part * 8 + e] = acc[e];
        __syncthreads();
        for (int i = threadIdx.x; i < d; i += ROW_THREADS) {
            float total = 0.f;
            for (int r = 0; r < groups; r++) total += scratch[r * d + i];
            result[i] = float_to_bf16(total * inverse);
        }
    } else {
        for (int i = threadIdx.x; i < d; i += ROW_THREADS) {
            float acc = 0.f;
            for (int j = 0; j < count; j++) acc += row[j] * bf16_to_float(values[(long)j * kvDim + i]);
            result[i] = float_to_bf16(acc * inverse);
        }
    }
}
