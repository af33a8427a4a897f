
/// Exit statuses a worker uses to tell its supervisor something.
public enum WorkerExit {
    /// The worker cannot boot (bad settings, unusable socket): starting it again won't help.
    public static let bootFailure: Int32 = 3
}
