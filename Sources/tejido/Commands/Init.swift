import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: Msg.helpInit.localized)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: Msg.optNetwork.help)
    var network: String?

    @Option(name: .long, help: Msg.optJoin.help)
    var join: String?

    func run() throws {
        let console = options.console
        try console.guarding {
            var networkID: [UInt8]?
            if let join {
                guard let id = try? Bech32.decode(join, prefix: KeyText.networkPrefix), id.count == 32 else {
                    throw StoreError.invalidNetworkID(join)
                }
                networkID = id
            } else if network == nil {
                throw console.fail(.errNeedNetwork, code: Console.usage)
            }
            let store = try Store.create(at: options.storeURL, network: networkID, networkName: network)
            let key = store.nodeKey.publicKey
            if console.json {
                console.out(json: .object([
                    ("network", .string(store.networkIDText)), ("key", .string(KeyText.key(key))),
                    ("fingerprint", .string(KeyText.fingerprint(key.bytes))), ("store", .string(store.directory.path)),
                ]))
            } else {
                console.out(console.t(.storeCreated, store.directory.path))
                console.out(console.t(.networkLine, store.networkIDText))
                console.out(console.t(.keyLine, KeyText.key(key)))
                console.out(console.t(.fingerprintLine, KeyText.fingerprint(key.bytes)))
            }
        }
    }
}
