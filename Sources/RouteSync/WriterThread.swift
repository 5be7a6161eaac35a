import Glibc

/// A dedicated OS thread (off Swift's cooperative pool) that runs posted jobs one at a time
/// in order, and wakes at a deadline for timed work. Everything it runs may block on netlink.
final class WriterThread: @unchecked Sendable {
    // Heap-allocated: a pthread object must not move, which a stored property may.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var thread = pthread_t()
    /// Called on the thread when no job is queued: returns how long to sleep at most (nil: until a job).
    private let idle: () -> Duration?

    init(idle: @escaping () -> Duration?) throws(RouteWriterError) {
        self.idle = idle
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        let unmanaged = Unmanaged.passRetained(self)
        let created = pthread_create(&thread, nil, { context in
            let writer = Unmanaged<WriterThread>.fromOpaque(context!).takeRetainedValue()
            writer.main()
            return nil
        }, unmanaged.toOpaque())
        guard created == 0 else {
            unmanaged.release()
            throw RouteWriterError.thread(errno: created)
        }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Queues `job`; false (and the job dropped) once `stop` was called.
    @discardableResult
    func post(_ job: @escaping () -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !stopping else { return false }
        jobs.append(job)
        pthread_cond_signal(condition)
        return true
    }

    /// Runs the jobs already posted, then ends the thread and waits for it (not from the thread itself).
    func stop() {
        pthread_mutex_lock(mutex)
        guard !stopping else {
            pthread_mutex_unlock(mutex)
            return
        }
        stopping = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
    }

    private func main() {
        while true {
            pthread_mutex_lock(mutex)
            if jobs.isEmpty && !stopping {
                pthread_mutex_unlock(mutex)
                let sleep = idle()
                pthread_mutex_lock(mutex)
                if jobs.isEmpty && !stopping { wait(sleep) }
            }
            let batch = jobs
            jobs.removeAll()
            let done = stopping && batch.isEmpty
            pthread_mutex_unlock(mutex)
            if done { return }
            for job in batch { job() }
        }
    }

    /// Waits on the condition (mutex held) for at most `duration`.
    private func wait(_ duration: Duration?) {
        guard let duration else {
            pthread_cond_wait(condition, mutex)
            return
        }
        guard duration > .zero else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = duration.components
        var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: 0)
        nanoseconds %= 1_000_000_000
        deadline.tv_nsec = nanoseconds
        pthread_cond_timedwait(condition, mutex, &deadline)
    }
}

/// Why the route writer could not start.
public enum RouteWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    case thread(errno: Int32)
    case stopped

    public var description: String {
        switch self {
        case .thread(let errno): "route writer: pthread_create failed (errno \(errno))"
        case .stopped: "route writer: stopped"
        }
    }
}
