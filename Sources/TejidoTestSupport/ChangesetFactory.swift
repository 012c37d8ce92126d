import TejidoCore
import TejidoCrypto

/// Builds signed changesets outside any store, as a peer (honest or not) would: one network, one
/// namespace with its root key, and any number of authors, each with its own feed.
public final class ChangesetFactory {
    public let network: [UInt8]
    public let root: Ed25519PrivateKey
    public private(set) var authors: [Ed25519PrivateKey] = []
    /// Every changeset made, in the order made (a causal order).
    public private(set) var made: [ChangesetEnvelope] = []
    private var heads: [[UInt8]: ChangesetEnvelope] = [:]

    public var namespace: [UInt8] { root.publicKey.bytes }

    public init(network: [UInt8], rng: inout SeededRandom) throws {
        self.network = network
        root = try Ed25519PrivateKey(seed: Self.seed(&rng))
    }

    static func seed(_ rng: inout SeededRandom) -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    /// The root's first changeset: names the namespace and grants each of `writers` a role.
    @discardableResult
    public func genesis(name: String, grants: [(Ed25519PublicKey, Role)], hlc: HLC) throws -> ChangesetEnvelope {
        try make(by: root, ops: [.name(name)] + grants.map { .grant(key: $0.0.bytes, role: $0.1) }, hlc: hlc, deps: [])
    }

    public func addAuthor(rng: inout SeededRandom) throws -> Ed25519PrivateKey {
        let k = try Ed25519PrivateKey(seed: Self.seed(&rng))
        authors.append(k)
        return k
    }

    /// The next changeset of `author`'s feed, with the given deps (ids of changesets made before).
    @discardableResult
    public func make(by author: Ed25519PrivateKey, ops: [Op], hlc: HLC, deps: [ChangesetID], message: String? = nil)
        throws -> ChangesetEnvelope
    {
        let last = heads[author.publicKey.bytes]
        let body = ChangesetBody(
            network: network, namespace: namespace, author: author.publicKey.bytes, seq: (last?.body.seq ?? 0) + 1,
            prev: last?.id, deps: deps, hlc: hlc, ops: ops, message: message)
        let env = try ChangesetEnvelope.sign(body, with: author)
        heads[author.publicKey.bytes] = env
        made.append(env)
        return env
    }

    /// The current head of every feed but `author`'s: what an author that has seen everything lists as deps.
    public func otherHeads(than author: Ed25519PrivateKey, excluding: [Ed25519PrivateKey] = []) -> [ChangesetID] {
        let skip = Set(([author] + excluding).map(\.publicKey.bytes))
        return heads.filter { !skip.contains($0.key) }.map { $0.value.id }
    }
}
