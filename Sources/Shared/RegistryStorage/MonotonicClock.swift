import Foundation

/// CLOCK_MONOTONIC in nanoseconds: the clock deadlines shared with C (pthread) are counted on.
public enum MonotonicClock {
    public static var now: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
