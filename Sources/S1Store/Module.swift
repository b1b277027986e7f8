// S1Store: content hashing, canonical encoding, the content-addressed artifact store, run manifests and
// deterministic run archives. See ../shared/DESIGN.md ("Store") for this layer's role.
//
// Files in this module, one purpose each:
//   Digest.swift            the "sha256:<hex>" value type
//   ContentHasher.swift     streaming SHA-256 of bytes and files
//   StatCache.swift         (size, mtime, inode) → digest cache that skips rehashing unchanged files
//   CanonicalValue.swift    canonical JSON encoding of resolved values (what step keys hash); JSON read-back
//   StoreError.swift        StoreIOError: failed file-system calls with path and errno
//   DirectoryWalk.swift     sorted listing of a run directory (files and folders only)
//   AtomicFile.swift        temp + fsync + rename writes
//   ContentStore.swift      objects/sha256/ab/<hex>, put/contains/data, garbage collection
//   StoreLock.swift         flock-based store lock
//   Manifest.swift          the run's manifest.json, run id, verification against a directory
//   ArchiveMember.swift     archive value types: members, limits, verification results, errors
//   RunArchive*.swift       deterministic tar+zstd archives: write, list, verify, extract
//   TarStreamReader.swift   libarchive reading, hashing the uncompressed stream on the way
//   StoreBenchmarks.swift   entry points for `scripts/bench-store.sh`
