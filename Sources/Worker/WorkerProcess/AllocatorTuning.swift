import CShim

/// glibc's allocator, set for a worker's requests. By default a thread's arena gives the free
/// memory at its top back to the kernel once it passes a threshold that starts at 128 KiB and
/// rises only after a chunk that large was `mmap`ed and freed. A search allocating a few hundred
/// KiB per request (its tables of places) below that mark had its pages given back after every
/// request and faulted in again on the next: a third of the worker's CPU for `any` over 100,000
/// versions on PostgreSQL (0.45–0.57 ms of system time per request against 0.15–0.20 with fixed
/// thresholds). Fixed thresholds keep up to `trimThreshold` free per arena instead; blocks from
/// `mmapThreshold` up are still mapped for themselves (a search of 100,000 results), so they go
/// back to the kernel when freed. An operator's `GLIBC_TUNABLES` naming malloc settings wins.
enum AllocatorTuning {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 16 << 20

    static func apply(environment: [String: String]) {
        guard !(environment["GLIBC_TUNABLES"] ?? "").contains("glibc.malloc.") else { return }
        _ = pyrmute_set_allocator_thresholds(mmapThreshold, trimThreshold)
    }
}
