/// Which client keys a TCP server lets in (after TLS proved the client holds its key).
public enum TrustPolicy: String, Sendable, CaseIterable {
    /// Keys pinned for a named peer, this node's own key, namespace roots, and keys granted a role
    /// in any namespace this store holds. The default.
    case known
    /// Only keys pinned for a named peer (`peer add NAME URL --key KEY`).
    case peers
    /// Any key. Changesets are still verified one by one; use for an open relay.
    case any
}
