#include "common.cuh"

// Causal attention for training without the (T, T) matrices: FlashAttention-2's tiling on the tensor cores
// (mma.sync m16n8k16, bf16 operands, fp32 accumulation), written from the PTX ISA's fragment layouts.
//
// Layouts. q, k, v and dO are (BH, T, D) bf16, one (b, h) slice after another; k and v already hold each query
// head's copy of its key/value head (qkv_to_heads), so every head is independent here. The forward writes the
// output as rows (B·T, H·D) bf16, the o_proj input, and the base-2 log-sum-exp of each row's scaled scores,
// (BH, T) fp32, which the backward reads instead of the probabilities.
//
// Determinism: a block owns its outputs (a query tile in the forward and for dq, a key tile for dk and dv) and
// walks the other tiles in ascending order; every sum has one order and no atomics are used.
//
// Tiles: 64 query rows × 64 keys per block, 4 warps; warp w owns 16 rows of the block's own tile. Blocks with the
// most tiles to visit start first (the last query tiles in the forward and for dq, the first key tiles for dk, dv),
// so the causal triangle's long blocks do not trail at the end.

#define FLASH_TILE 64
#define FLASH_THREADS 128

// Fragment of the m16n8k16 product for lane = 4·g + c (g = lane / 4, c = lane % 4):
//   A (16×16, row-major): a[0] = (g, 2c..2c+1), a[1] = (g+8, 2c..), a[2] = (g, 2c+8..), a[3] = (g+8, 2c+8..)
//   B (16×8, k × n):      b0 = (k 2c..2c+1, n g), b1 = (k 2c+8..2c+9, n g)
//   C (16×8 fp32):        c[0..1] = (g, 2c..2c+1), c[2..3] = (g+8, 2c..2c+1)
// A pair of bf16 shares one 32-bit register, the lower index in the low half.

__device__ __forceinline__ unsigned pack_bf16(bf16 low, bf16 high) { return (unsigned)low | ((unsigned)high << 16); }

__device__ __forceinline__ unsigned pack_floats(float low, float high) {
    return pack_bf16(float_to_bf16(low), float_to_bf16(high));
}

__device__ __forceinline__ unsigned load_pair(const bf16* p) { return *(const unsigned*)p; }

__device__ __forceinline__ void mma_16x8x16(float* c, const unsigned* a, unsigned b0, unsigned b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// A fragments of 16 rows × D columns of a (T, D) slice from global memory; rows ≥ T read as zeros.
template <int D>
__device__ __forceinline__ void load_row_fragments(unsigned (*a)[4], const bf16* slice, int row0, int T, int g, int c) {
    const bf16* top = slice + (long)(row0 + g) * D;
    const bf16* bottom = slice + (long)(row0 + g + 8) * D;
    const bool topValid = row0 + g < T, bottomValid = row0 + g + 8 < T;
#pragma unroll
    for (int kk = 0; kk < D / 16; kk++) {
        const int col = kk * 16 + 2 * c;
        a[kk][0] = topValid ? load_pair(top + col) : 0u;
        a[kk][1] = bottomValid ? load_pair(bottom + col) : 0u;
        a[kk][2] = topValid ? load_pair(top + col + 8) : 0u;
        a[kk][3] = bottomValid ? load_pair(bottom + col + 8) : 0u;
    }
}

// Rows row0..row0+63 of a (T, D) slice into a shared tile with row stride D + 8 (fewer bank conflicts); rows ≥ T
// become zeros, so padded keys and queries contribute nothing and never read past the slice. 16-byte copies: a
// row is D·2 bytes, a multiple of 16, and slices start 16-byte aligned.
template <int D>
__device__ __forceinline__ void load_tile(bf16* tile, const bf16* slice, int row0, int T) {
    for (int e = threadIdx.x; e < FLASH_TILE * D / 8; e += FLASH_THREADS) {
        const int r = e / (D / 8), col = (e % (D / 8)) * 8;
        const uint4 value = row0 + r < T ? *(const uint4*)(slice + (long)(row0 + r) * D + col) : make_uint4(0, 0, 0, 0);
        *(uint4*)(tile + r * (D + 8) + col) = value;
    }
}

// B fragments from a shared tile with ldmatrix (four 8×8 bf16 matrices per instruction; lane l gives the
// address of row l % 8 of matrix l / 8). Tile rows must be 16-byte aligned: the row stride (D + 8)·2 bytes is.
__device__ __forceinline__ void load_matrices(unsigned* r, const bf16* address) {
    const unsigned shared = (unsigned)__cvta_generic_to_shared(address);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(shared));
}

__device__ __forceinline__ void load_matrices_transposed(unsigned* r, const bf16* address) {
    const unsigned shared = (unsigned)__cvta_generic_to_shared(address);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(shared));
}

// S (16 × 64) += A (16 × D, fragments) · Mᵀ where M is a shared (64, D) tile: n-tile j is M's rows 8j..8j+7.
// One ldmatrix gives both B registers of n-tiles j and j+1: matrices (rows 8j.., cols k..), (8j.., k+8..),
// (8j+8.., k..), (8j+8.., k+8..).
template <int D>
__device__ __forceinline__ void product_with_tile_transposed(float (*s)[4], const unsigned (*a)[4], const bf16* tile,
                                                             int lane) {
    const int matrix = lane / 8, row = lane % 8;
#pragma unroll
    for (int j = 0; j < 8; j += 2) {
#pragma unroll
        for (int kk = 0; kk < D / 16; kk++) {
            unsigned b[4];
            load_matrices(b, tile + (j * 8 + (matrix >> 1) * 8 + row) * (D + 8) + kk * 16 + (matrix & 1) * 8);
            mma_16x8x16(s[j], a[kk], b[0], b[1]);
            mma_16x8x16(s[j + 1], a[kk], b[2], b[3]);
        }
    }
}

// O (16 × D) += P (16 × 64, as fp32 C fragments, rounded to bf16 here) · M where M is a shared (64, D) tile.
// B (k = tile row, n = column) is M read transposed: matrices (rows k.., cols n..), (k+8.., n..), (k.., n+8..),
// (k+8.., n+8..) give the registers of n-tiles n and n+8.
template <int D>
__device__ __forceinline__ void product_with_tile(float (*o)[4], const float (*p)[4], const bf16* tile, int lane) {
    const int matrix = lane / 8, row = lane % 8;
#pragma unroll
    for (int kk = 0; kk < 4; kk++) {
        const unsigned a[4] = {pack_floats(p[2 * kk][0], p[2 * kk][1]), pack_floats(p[2 * kk][2], p[2 * kk][3]),
                               pack_floats(p[2 * kk + 1][0], p[2 * kk + 1][1]),
                               pack_floats(p[2 * kk + 1][2], p[2 * kk + 1][3])};
#pragma unroll
        for (int dn = 0; dn < D / 8; dn += 2) {
            unsigned b[4];
            load_matrices_transposed(b, tile + (kk * 16 + (matrix & 1) * 8 + row) * (D + 8) + dn * 8 + (matrix >> 1) * 8);
            mma_16x8x16(o[dn], a, b[0], b[1]);
            mma_16x8x16(o[dn + 1], a, b[2], b[3]);
        }
    }
}

// Reduction over the 4 lanes that hold one row (lanes 4g..4g+3); every lane gets the same bits.
__device__ __forceinline__ float row_max(float x) {
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
    return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

__device__ __forceinline__ float row_sum(float x) {
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

// Where a block and a lane sit: the (b, h) slice, the block's own tile (the heaviest first when `reversed`), the
// first of this warp's 16 rows in it, and the lane's fragment coordinates g = lane / 4, c = lane % 4.
struct FlashPosition {
    int bh, tile, row0, lane, g, c;
    long slice;
};

__device__ __forceinline__ FlashPosition flash_position(int T, int D, bool reversed) {
    FlashPosition p;
    p.bh = blockIdx.y;
    p.tile = reversed ? gridDim.x - 1 - blockIdx.x : blockIdx.x;
    p.lane = threadIdx.x % 32;
    p.g = p.lane / 4;
    p.c = p.lane % 4;
    p.row0 = p.tile * FLASH_TILE + (threadIdx.x / 32) * 16;
    p.slice = (long)p.bh * T * D;
    return p;
}

// Key tile kt of k and v into shared memory, after every warp is done with the previous one.
template <int D>
__device__ __forceinline__ void load_key_value_tiles(bf16* keys, bf16* values, const bf16* k, const bf16* v, int kt,
                                                     int T) {
    __syncthreads();
    load_tile<D>(keys, k, kt * FLASH_TILE, T);
    load_tile<D>(values, v, kt * FLASH_TILE, T);
    __syncthreads();
}

// grid (⌈T/64⌉, BH), FLASH_THREADS threads. scaleLog2 = log2(e)/√D.
template <int D>
__device__ __forceinline__ void flash_forward(bf16* out, float* lse2, const bf16* q, const bf16* k, const bf16* v,
                                              int T, int H, float scaleLog2) {
    __shared__ __align__(16) bf16 keys[FLASH_TILE * (D + 8)];
    __shared__ __align__(16) bf16 values[FLASH_TILE * (D + 8)];
    const FlashPosition at = flash_position(T, D, true);
    const int bh = at.bh, tile = at.tile, row0 = at.row0, lane = at.lane, g = at.g, c = at.c;
    const long slice = at.slice;
    unsigned qa[D / 16][4];
    load_row_fragments<D>(qa, q + slice, row0, T, g, c);
    float o[D / 8][4];
#pragma unroll
    for (int dn = 0; dn < D / 8; dn++) o[dn][0] = o[dn][1] = o[dn][2] = o[dn][3] = 0.f;
    float m[2] = {NEG_INFINITY, NEG_INFINITY}, l[2] = {0.f, 0.f};
    for (int kt = 0; kt <= tile; kt++) {
        load_key_value_tiles<D>(keys, values, k + slice, v + slice, kt, T);
        float s[8][4];
#pragma unroll
        for (int j = 0; j < 8; j++) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.f;
        product_with_tile_transposed<D>(s, qa, keys, lane);
        float rowMax[2] = {m[0], m[1]};
#pragma unroll
        for (int j = 0; j < 8; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int key = kt * FLASH_TILE + j * 8 + 2 * c + (e & 1), query = row0 + g + (e >> 1) * 8;
                s[j][e] = key <= query ? s[j][e] * scaleLog2 : NEG_INFINITY;
                rowMax[e >> 1] = fmaxf(rowMax[e >> 1], s[j][e]);
            }
        }
        float alpha[2], rowTotal[2] = {0.f, 0.f};
#pragma unroll
        for (int i = 0; i < 2; i++) {
            rowMax[i] = row_max(rowMax[i]);  // finite: key kt·64 is visible to every row of the tile
            alpha[i] = exp2f(m[i] - rowMax[i]);
            m[i] = rowMax[i];
        }
#pragma unroll
        for (int j = 0; j < 8; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                s[j][e] = exp2f(s[j][e] - m[e >> 1]);
                rowTotal[e >> 1] += s[j][e];
            }
        }
#pragma unroll
        for (int i = 0; i < 2; i++) l[i] = l[i] * alpha[i] + row_sum(rowTotal[i]);
#pragma unroll
        for (int dn = 0; dn < D / 8; dn++) {
            o[dn][0] *= alpha[0];
            o[dn][1] *= alpha[0];
            o[dn][2] *= alpha[1];
            o[dn][3] *= alpha[1];
        }
        product_with_tile<D>(o, s, values, lane);
    }
    const int b = bh / H, h = bh % H;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        const int t = row0 + g + 8 * i;
        if (t >= T) continue;
        const float inverse = 1.f / l[i];
        bf16* row = out + ((long)b * T + t) * H * D + h * D;
#pragma unroll
        for (int dn = 0; dn < D / 8; dn++)
            *(unsigned*)(row + dn * 8 + 2 * c) = pack_floats(o[dn][2 * i] * inverse, o[dn][2 * i + 1] * inverse);
        if (c == 0) lse2[(long)bh * T + t] = m[i] + log2f(l[i]);
    }
}

// dk and dv of one key tile, over the query tiles that see it. grid (⌈T/64⌉, BH). dk, dv (BH, T, D) fp32;
// dvec (BH, T) = Σ_i dO·O per row (attention_output_dot). scale = 1/√D.
template <int D>
__device__ __forceinline__ void flash_backward_keys(float* dk, float* dv, const bf16* q, const bf16* k, const bf16* v,
                                                    const bf16* dO, const float* lse2, const float* dvec, int T,
                                                    float scale, float scaleLog2) {
    __shared__ __align__(16) bf16 queries[FLASH_TILE * (D + 8)];
    __shared__ __align__(16) bf16 outputGrads[FLASH_TILE * (D + 8)];
    __shared__ float tileLse[FLASH_TILE], tileDvec[FLASH_TILE];
    const FlashPosition at = flash_position(T, D, false);
    const int bh = at.bh, tile = at.tile, key0 = at.row0, lane = at.lane, g = at.g, c = at.c;
    const long slice = at.slice;
    unsigned ka[D / 16][4], va[D / 16][4];
    load_row_fragments<D>(ka, k + slice, key0, T, g, c);
    load_row_fragments<D>(va, v + slice, key0, T, g, c);
    float dK[D / 8][4], dV[D / 8][4];
#pragma unroll
    for (int dn = 0; dn < D / 8; dn++)
        dK[dn][0] = dK[dn][1] = dK[dn][2] = dK[dn][3] = dV[dn][0] = dV[dn][1] = dV[dn][2] = dV[dn][3] = 0.f;
    const int tiles = (T + FLASH_TILE - 1) / FLASH_TILE;
    for (int qt = tile; qt < tiles; qt++) {
        __syncthreads();
        load_tile<D>(queries, q + slice, qt * FLASH_TILE, T);
        load_tile<D>(outputGrads, dO + slice, qt * FLASH_TILE, T);
        for (int r = threadIdx.x; r < FLASH_TILE; r += FLASH_THREADS) {
            const int t = qt * FLASH_TILE + r;
            tileLse[r] = t < T ? lse2[(long)bh * T + t] : 0.f;
            tileDvec[r] = t < T ? dvec[(long)bh * T + t] : 0.f;
        }
        __syncthreads();
        // Transposed: rows are this warp's 16 keys, columns the tile's 64 queries.
        float p[8][4], ds[8][4];
#pragma unroll
        for (int j = 0; j < 8; j++) p[j][0] = p[j][1] = p[j][2] = p[j][3] = ds[j][0] = ds[j][1] = ds[j][2] = ds[j][3] = 0.f;
        product_with_tile_transposed<D>(p, ka, queries, lane);       // (K Qᵀ)
        product_with_tile_transposed<D>(ds, va, outputGrads, lane);  // (V dOᵀ) = dPᵀ
#pragma unroll
        for (int j = 0; j < 8; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int column = j * 8 + 2 * c + (e & 1);
                const int query = qt * FLASH_TILE + column, key = key0 + g + (e >> 1) * 8;
                const float probability =
                    key <= query && query < T ? exp2f(p[j][e] * scaleLog2 - tileLse[column]) : 0.f;
                p[j][e] = probability;
                ds[j][e] = probability * (ds[j][e] - tileDvec[column]);
            }
        }
        product_with_tile<D>(dV, p, outputGrads, lane);  // dV += Pᵀ dO
        product_with_tile<D>(dK, ds, queries, lane);     // dK += dSᵀ Q (scaled below)
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
        const int t = key0 + g + 8 * i;
        if (t >= T) continue;
        float* kRow = dk + slice + (long)t * D;
        float* vRow = dv + slice + (long)t * D;
#pragma unroll
        for (int dn = 0; dn < D / 8; dn++) {
            kRow[dn * 8 + 2 * c] = dK[dn][2 * i] * scale;
            kRow[dn * 8 + 2 * c + 1] = dK[dn][2 * i + 1] * scale;
            vRow[dn * 8 + 2 * c] = dV[dn][2 * i];
            vRow[dn * 8 + 2 * c + 1] = dV[dn][2 * i + 1];
        }
    }
}

// dq of one query tile, over the key tiles it sees. grid (⌈T/64⌉, BH). dq (BH, T, D) fp32.
template <int D>
__device__ __forceinline__ void flash_backward_queries(float* dq, const bf16* q, const bf16* k, const bf16* v,
                                                       const bf16* dO, const float* lse2, const float* dvec, int T,
                                                       float scale, float scaleLog2) {
    __shared__ __align__(16) bf16 keys[FLASH_TILE * (D + 8)];
    __shared__ __align__(16) bf16 values[FLASH_TILE * (D + 8)];
    const FlashPosition at = flash_position(T, D, true);
    const int bh = at.bh, tile = at.tile, row0 = at.row0, lane = at.lane, g = at.g, c = at.c;
    const long slice = at.slice;
    unsigned qa[D / 16][4], oa[D / 16][4];
    load_row_fragments<D>(qa, q + slice, row0, T, g, c);
    load_row_fragments<D>(oa, dO + slice, row0, T, g, c);
    float rowLse[2], rowDvec[2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
        const int t = row0 + g + 8 * i;
        rowLse[i] = t < T ? lse2[(long)bh * T + t] : 0.f;
        rowDvec[i] = t < T ? dvec[(long)bh * T + t] : 0.f;
    }
    float dQ[D / 8][4];
#pragma unroll
    for (int dn = 0; dn < D / 8; dn++) dQ[dn][0] = dQ[dn][1] = dQ[dn][2] = dQ[dn][3] = 0.f;
    for (int kt = 0; kt <= tile; kt++) {
        load_key_value_tiles<D>(keys, values, k + slice, v + slice, kt, T);
        float s[8][4], ds[8][4];
#pragma unroll
        for (int j = 0; j < 8; j++) s[j][0] = s[j][1] = s[j][2] = s[j][3] = ds[j][0] = ds[j][1] = ds[j][2] = ds[j][3] = 0.f;
        product_with_tile_transposed<D>(s, qa, keys, lane);     // Q Kᵀ
        product_with_tile_transposed<D>(ds, oa, values, lane);  // dO Vᵀ = dP
#pragma unroll
        for (int j = 0; j < 8; j++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int key = kt * FLASH_TILE + j * 8 + 2 * c + (e & 1), query = row0 + g + (e >> 1) * 8;
                const float probability = key <= query ? exp2f(s[j][e] * scaleLog2 - rowLse[e >> 1]) : 0.f;
                ds[j][e] = probability * (ds[j][e] - rowDvec[e >> 1]);
            }
        }
        product_with_tile<D>(dQ, ds, keys, lane);  // dQ += dS K (scaled below)
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
        const int t = row0 + g + 8 * i;
        if (t >= T) continue;
        float* row = dq + slice + (long)t * D;
#pragma unroll
        for (int dn = 0; dn < D / 8; dn++) {
            row[dn * 8 + 2 * c] = dQ[dn][2 * i] * scale;
            row[dn * 8 + 2 * c + 1] = dQ[dn][2 * i + 1] * scale;
        }
    }
}

// dvec (BH, T) = Σ_i dO[bh, t, i] · out[b·T + t, h·D + i]: the row term of the softmax backward. One warp per
// (bh, t): lanes take strided elements, then a fixed shuffle tree. grid ⌈BH·T / 8⌉, 256 threads.
extern "C" __global__ void attention_output_dot(float* dvec, const bf16* dO, const bf16* out, int BH, int T, int H,
                                                int D) {
    const long item = (long)blockIdx.x * 8 + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (item >= (long)BH * T) return;
    const long bh = item / T, t = item % T, b = bh / H, h = bh % H;
    const bf16* g = dO + item * D;
    const bf16* o = out + (b * T + t) * H * D + h * D;
    float partial = 0.f;
    for (int i = lane; i < D; i += 32) partial += bf16_to_float(g[i]) * bf16_to_float(o[i]);
    for (int offset = 16; offset > 0; offset >>= 1) partial += __shfl_xor_sync(0xffffffffu, partial, offset);
    if (lane == 0) dvec[item] = partial;
}

#define FLASH_KERNELS(D)                                                                                            \
    extern "C" __global__ void __launch_bounds__(FLASH_THREADS) flash_forward_d##D(                                 \
        bf16* out, float* lse2, const bf16* q, const bf16* k, const bf16* v, int T, int H, float scaleLog2) {       \
        flash_forward<D>(out, lse2, q, k, v, T, H, scaleLog2);                                                      \
    }                                                                                                               \
    extern "C" __global__ void __launch_bounds__(FLASH_THREADS) flash_backward_keys_d##D(                           \
        float* dk, float* dv, const bf16* q, const bf16* k, const bf16* v, const bf16* dO, const float* lse2,        \
        const float* dvec, int T, float scale, float scaleLog2) {                                                   \
        flash_backward_keys<D>(dk, dv, q, k, v, dO, lse2, dvec, T, scale, scaleLog2);                               \
    }                                                                                                               \
    extern "C" __global__ void __launch_bounds__(FLASH_THREADS) flash_backward_queries_d##D(                        \
        float* dq, const bf16* q, const bf16* k, const bf16* v, const bf16* dO, const float* lse2,                  \
        const float* dvec, int T, float scale, float scaleLog2) {                                                   \
        flash_backward_queries<D>(dq, q, k, v, dO, lse2, dvec, T, scale, scaleLog2);                                \
    }

// The head sizes of the Qwen2 family (and of the small test models); others take the materialised path.
FLASH_KERNELS(16)
FLASH_KERNELS(32)
FLASH_KERNELS(64)
FLASH_KERNELS(128)
