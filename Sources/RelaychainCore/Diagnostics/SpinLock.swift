import Synchronization

/// A minimal lock for lazily computed, rarely contended state.
final class SpinLock: Sendable {
    private let state = Mutex<Void>(())

    func withLock<T>(_ body: () -> T) -> T {
        state.withLock { _ in body() }
    }
}
