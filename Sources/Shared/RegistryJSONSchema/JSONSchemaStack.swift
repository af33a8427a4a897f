// Stack-depth guard for the recursive walks (schema evaluation, regex parsing). Python raises
// RecursionError for self-referencing or very deeply nested schemas; a Swift stack overflow would
// kill the whole process, so the walks stop while a safety margin of the current thread's stack
// is still free. The thread's stack bounds are read once per thread (pthread) and cached in a
// pthread key, so the per-call check is a pointer comparison.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum JSStack {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// Lowest stack address the walks may use on this thread (0 when unknown).
    static func limit() -> UInt {
        if let p = pthread_getspecific(key) { return UInt(bitPattern: p) }
        var low: UInt = 0
        var size: UInt = 0
        #if canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        size = UInt(pthread_get_stacksize_np(pthread_self()))
        low = top &- size
        #else
        // glibc / musl `pthread_getattr_np` (a GNU extension the Swift module does not export).
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        var attr = pthread_attr_t()
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np"),
           unsafeBitCast(sym, to: GetAttr.self)(pthread_self(), &attr) == 0 {
            var addr: UnsafeMutableRawPointer?
            var sz = 0
            if pthread_attr_getstack(&attr, &addr, &sz) == 0, let a = addr {
                low = UInt(bitPattern: a)
                size = UInt(sz)
            }
            pthread_attr_destroy(&attr)
        }
        #endif
        var limit: UInt = 0
        if low != 0 && size != 0 {
            // Keep 1/8 of the stack (128 KB ... 1 MB) for the frames below the last check.
            let margin = min(max(size / 8, 128 * 1024), 1024 * 1024)
            limit = low &+ margin
        }
        // 1 marks "unknown" so that the lookup is not repeated.
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: max(limit, 1)))
        return limit
    }

    /// True when the current frame is below the thread's safety limit.
    @inline(__always)
    static func exhausted(_ limit: UInt) -> Bool {
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here < limit
    }
}
