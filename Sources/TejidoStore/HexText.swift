import TejidoCrypto

/// The crypto layer's hex codec under the store's name, so that Foundation's helpers do not shadow it.
typealias HexText = Hex
