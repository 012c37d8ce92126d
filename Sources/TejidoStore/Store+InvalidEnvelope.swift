import TejidoCore

extension Store {
    /// Why `receivePrefix` stopped: an envelope that may not be applied. Typed, so that a user
    /// interface can say it in its own language; `description` is the English.
    public enum InvalidEnvelope: Error, Sendable, Equatable, CustomStringConvertible {
        case format(FormatError)
        case otherNetwork
        case badSignature(id: String)

        public var description: String {
            switch self {
            case .format(let e): e.description
            case .otherNetwork: "a changeset of another network"
            case .badSignature(let id): "signature does not verify (id \(id))"
            }
        }
    }
}
