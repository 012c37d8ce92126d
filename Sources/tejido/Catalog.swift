import Foundation

/// The language of user-facing text.
enum Language: String, Sendable {
    case en, es

    /// `--lang` wins; then `LC_ALL`, `LC_MESSAGES` and `LANG`, as POSIX orders them. Spanish for any `es*`.
    static func resolve(flag: String?) -> Language {
        // A --lang that is neither (it is refused) leaves the environment to choose.
        if let flag, let lang = Language(flag: flag) { return lang }
        let env = ProcessInfo.processInfo.environment
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = env[name], !v.isEmpty { return v.lowercased().hasPrefix("es") ? .es : .en }
        }
        return .en
    }

    /// A `--lang` value: `en` or `es`, alone or with a region (`es_MX`, `es-MX`, `en_US.UTF-8`).
    init?(flag: String) {
        let lower = flag.lowercased()
        guard let lang = Language(rawValue: String(lower.prefix(2))),
              lower.count == 2 || ["_", "-", "."].contains(lower.dropFirst(2).first.map(String.init) ?? "")
        else { return nil }
        self = lang
    }

    /// The language for text made before options are parsed (help, the parser's errors): a
    /// `--lang` anywhere on the command line, else the environment.
    static let environment: Language = {
        let args = CommandLine.arguments.dropFirst()
        var flag: String?
        for (i, a) in zip(args.indices, args) {
            if a == "--" { break }
            if a == "--lang", args.indices.contains(i + 1) { flag = args[i + 1] }
            if a.hasPrefix("--lang=") { flag = String(a.dropFirst(7)) }
        }
        return resolve(flag: flag)
    }()
}

/// Every user-facing message, in English and Spanish. `{0}`, `{1}` ... are filled in order.
/// JSON keys are not messages and stay English.
enum Msg: String, CaseIterable {
    // Help (abstracts)
    case helpRoot, helpInit, helpKey, helpKeyShow, helpNamespace, helpNamespaceCreate, helpNamespaceList, helpGrant
    case helpPut, helpGet, helpList, helpDelete, helpInc, helpTag, helpTagAdd, helpTagRemove, helpImport, helpQuery
    case helpLog, helpBlame, helpVerify
    case helpMembers, membersHeader, memberRoot, errBadTimeout, quarantinedHeader
    case helpRevoke, revoked, revokedAlready, warnRevokeNoRole, warnRevokeLowerCutoff, errCannotRevokeRoot, errCannotRevokeSelf, memberRevoked, memberNoRole, errRevoked
    case reasonNoRole, reasonRoleTooLow, reasonRevoked, reasonFork, reasonBrokenChain, reasonPrevDoesNotCount, reasonNotYetAccepted, pendingHeader
    case errNoRootKey, errWrongPassphrase, errNoPassphrase, errPassphraseMismatch, rootExported, rootForgotten, rootImported
    case helpExportRoot, helpImportRoot, passphrasePrompt, passphraseAgain
    case helpNamespacePetname, petnameSet, clockFlagLine, clockFlagsHeader
    case helpServe, helpSync, helpPeer, helpPeerAdd, helpPeerList, helpPeerRemove, helpStatus
    case helpBundle, helpBundleCreate, helpBundleApply, helpBundleInspect
    // Help (options and arguments)
    case optStore, optJSON, optLang, argRecordPath, argCollectionPath, optMessage, argSQL, optQueryTimeout
    case argSetField, argElement, argAssignments, argNamespace, argRevokeKey, optRevokeAfter, argNamespaceName, optAdmins
    case optPrivate, argPetname, argRootFile, optForgetRoot, optPassphraseFile, argRootImportFile, optNetwork, optJoin
    case argSyncTargets, optSyncKey, optPullOnly, optPushOnly, optRemoteCommand, optSSH, optSyncTimeout, argPeerName
    case argPeerURL, optPeerKey, optShare, argExistingPeer, argGrantKey, optRole, argBundleOut, optBundleFor
    case optBundleNamespace, argBundleIn, optReceipt, argBundleFile, argImportFile, optReplica, optImportNamespace, optResume
    case optAfterLine, optBatch, argCounterField, argDelta, optBy, optEnvelopes, optLimit, optDeep
    case optStdio, optListen, optAllow, optServeTimeout, optMaxSessions, optReadOnly
    // Results
    case grantUnchanged
    case verifyProgress, storeCreated, networkLine, keyLine, fingerprintLine, namespaceCreated, granted, committed, noRecords
    case importProgress, importDone, verifyOK, verifyFailed, verifyCounts, blameHeader, queryRows, noNamespaces
    case warnTrimmedView, errUsageNegativeNumber, errUsageNegativeValue, errStoreBusyImport, errBundleSameNodeNotAFile
    case namespaceHeader, logPending, logQuarantined, warnSkippedView, logOps, detailServeMode, detailArrayOrObject
    case syncProgress, syncDone, serveListening, serveSession, serveSessionFailed, serveClientPinsNoKey, serveClientPinsOtherKey, serveStopped
    case serveTurnedAway, serveConnectionCut
    case peerAdded, peerRemoved, peerHeader, noPeers, never, statusNetwork, statusDigest, statusCounts, statusNamespaces, statusPeers
    case bundleUntraced, bundleVerdictDamaged, bundleVerdictInvalid, bundleVerdictOK
    case bundleCreated, bundleApplied, bundleDamaged, bundleDamagedNothing, bundleInspect, receiptWritten, receiptApplied
    case reasonUnsupportedVersion, reasonWrongNetwork, reasonMalformed, reasonUnknownMessage, reasonTooLarge, reasonUnexpected
    case reasonCannotConnect, reasonServerBusy, errStdioHandshake, warnPeerReadOnly, errCannotWrite, errPeerHasNoURL, errPeerNeedsURLOrKey, bundleVerdictTrailer, receiptInspect, receiptVerdictOK
    case reasonInvalidChangeset, reasonPeerNotAllowed, reasonTimeout, reasonStore, reasonShuttingDown, reasonConnectionLost, reasonOther
    // Errors
    case errNotAStore, errForeignDatabase, errAlreadyAStore, errNodeKeyWithoutStore, errPathTooLong, errCorruptStore, errNewerSchema, errKeyFile, errUnknownNamespace
    case errAmbiguousNamespace, errNamespaceExists, errInvalidName, errNameLooksLikeKey, errArgumentNotUTF8, errQueryTimedOut, errBadQueryTimeout, errCannotReadInput, errImportRunning, errReadOnlyStore, errCannotOpenStore, errOutOfDescriptors, errPragmaInQuery, errQueryResultTooLarge, errInvalidRecordID, errInvalidField
    case errNotAuthorized, errRecordNotFound, errInvalidChangeset, errWrongNetwork, errInvalidChain, errBadImportLine
    case errInputChanged, errInputChangedNothing
    case errNothingToResume, errReadOnlyQuery, errQueryFailed, errDiskFull, errDatabase, errInvalidNetworkID, errInvalidKey
    case detailImportNotJSON, detailImportNotAnObject, detailImportDuplicateKey, detailImportInvalidUTF8, detailImportMissingReplica
    case detailImportMissingTxn, detailImportBadOp, detailImportBadCollection, detailImportBadID, detailImportBadField
    case detailImportBadValue, detailImportIncNeedsInteger, detailImportTooManyOps, detailImportTxnTooLarge, detailImportLineTooLong
    case detailImportChangesetTooLarge
    case serveClientRefusedPeers, errWrongPeerKeyGiven, errBadURLDash, errImportNotAuthorized, errBadImportLineAfterCommits, errStoreBusy, errOwnStoreFile, errBadCollectionPath, errNotARootExport, errEmptyPassphraseFile
    case errBadPath, errBadAssignment, errBadJSONValue, errBadDelta, errIncTwoAmounts, errDeltaOutOfRange, errNeedNetwork, errInternal, errBadRole
    case errPeerExists, errUnknownPeer, errSyncFailed, errBadURL, errTCPNeedsKey, errPeerKeyNotPinned, errWrongPeerKey
    case errSyncSelf, errServe, errBadListen, errBadPolicy, errBothOnly, errBundle, errBundleWrongNetwork
    case errBadLang, errEmptyStore, errPutIntegerRange, errUsage, errUnknownCommand, longArgument, waitingFor, errCannotCreateStore, errBadNetworkName, serveClientRefused, errBundleUnreadable, errNotPeerOrKey, errCannotReadFile, errUnknownCollection, errSyncFailedPlain, errSyncNotAStore, errImportUnknownNamespace, errCannotStartThread, errBundleSameNode, errReadOnlyFilesystem, statusNamespacesHeader, statusPeersHeader, errDiskFullImport, errDiskFullImportNothing, errImportStopped, errImportStoppedStdin, errBundleStopped, errSyncStopped, errBundleApplyStopped, detailPeerStoreFailed
    case problemFormat, problemID, problemSignature, problemChain, problemDeps, problemAuthority, problemFork, problemDatabase
    case detailBadID, detailBadSignature
    case detailTooManyOpenFiles, detailNoThread, detailThreadLimit, detailNoCertificate, detailCertificateNotEd25519, detailCertificateUnreadable, detailCertificateNotStrict
    case detailMessageLength, detailTooManyOps, detailTooManyOpsOrDeps, detailChangesetTooLarge, detailSigningFailed, detailNotApplied, detailInBatch, detailKeyMissing, detailKeyNotHex, detailKeyCannotCreate, detailKeyCannotWrite, detailKeyCannotRename, detailKeySealingFailed
    case detailRowMismatch, detailChainBreak, detailDepMissing, detailNotCounted, detailPastFork
    // Details of failures found below the command line (typed there, worded here)
    case detailEmptyFile, detailHandshake, detailStreamEndedInFrame, detailPeerClosedEarly, detailNotTLS, detailServerNotTLS, detailServerNotTejido, detailStreamNotTLS, detailProgramNotFound, detailHandshakeTimedOut, detailEmptyFrame
    case detailFrameTooLarge, detailEmptyMessage, detailElementCount, detailMalformedEntry, detailSeqTooLarge, detailFinalNotBoolean
    case detailEmptyBatch, detailCountOverBatch, detailUnknownMessageType, detailHelloKeyMismatch, detailClientIsThisNode, detailPeerIsThisNode
    case detailSessionAlreadyStarted, detailMessageNotExpected, detailVersionMismatch, detailAnotherNetwork, detailHeadsNotAsked, detailTooManyHeads
    case detailAckWithoutBatch, detailAckCountMismatch, detailChangesetsWhilePeerMayNotSend, detailChangesetsAgainstDirection, detailChangesetOfAnotherNetwork, detailDoneWhilePeerMayNotSend
    case detailKeyNotKnown, detailTimedOut, detailStreamClosed, detailTLS, detailStepFailed, detailOpen
    case detailCreate, detailLookAt, detailSymlinkToNothing, detailNotARegularFile, detailRemoveStale, detailMove
    case detailStart, detailResolve, detailConnect, detailListenOn, detailTooManyNamespaces, detailReceiptTooLarge
    case detailFormatTruncated, detailFormatTrailingBytes, detailFormatNonShortest, detailFormatIndefinite, detailFormatUnsortedKeys, detailFormatUnknownKey
    case detailFormatMissingKey, detailFormatWrongType, detailFormatTooLarge, detailFormatInvalidUTF8, detailFormatNaN, detailFormatIntegerRange
    case detailFormatBadValue, detailFormatVersion, detailFormatSimpleValue, detailFormatReservedInfo, detailJSONAt, detailJSONTrailing, detailJSONTooDeep
    case detailJSONEnd, detailJSONCharacter, detailJSONLiteral, detailJSONCommaBracket, detailJSONKey, detailJSONColon
    case detailJSONCommaBrace, detailJSONNumber, detailJSONNumberRange, detailJSONIntegerRange, detailJSONUTF8, detailJSONControl, detailJSONUnterminated
    case detailJSONEscape, detailJSONShortEscape, detailJSONBadEscape, detailJSONLoneSurrogate, detailJSONSurrogatePair, detailNotABundle
    case detailTruncated, detailBytesAfterTrailer, detailHeaderInReceipt, detailSecondHeader, detailSecondReceipt, detailReceiptInBundle
    case detailChangesetFrameNotOne, detailChangesetBeforeHeader, detailMalformedTrailer, detailTrailerMismatch, detailNoHeader, detailUnknownFrameType
    case detailMalformedFrame, detailBadSignatureOf

    var text: (en: String, es: String) {
        switch self {
        case .helpRoot: ("Offline-first sync of signed changesets between group stores.",
                         "Sincronización sin conexión de cambios firmados entre los almacenes de los grupos.")
        case .helpInit: ("Create a store, with a new network or joining one.", "Crea un almacén, en una red nueva o uniéndose a una.")
        case .helpKey: ("This node's key.", "La llave de este nodo.")
        case .helpKeyShow: ("Show this node's public key and fingerprint.", "Muestra la llave pública de este nodo y su huella.")
        case .helpNamespace: ("Create and list namespaces.", "Crea y lista espacios.")
        case .helpNamespaceCreate: ("Create a namespace owned by a fresh root key.", "Crea un espacio con una llave raíz nueva.")
        case .helpNamespaceList: ("List the namespaces this store holds.", "Lista los espacios de este almacén.")
        case .helpGrant: ("Let another key write in a namespace (admins only).", "Permite que otra llave escriba en un espacio (solo administradores).")
        case .helpPut: ("Set fields of a record in one changeset.", "Asigna campos de un registro en un solo cambio.")
        case .helpGet: ("Show a record's current fields.", "Muestra los campos actuales de un registro.")
        case .helpList: ("List the records of a collection.", "Lista los registros de una colección.")
        case .helpDelete: ("Delete a record.", "Borra un registro.")
        case .helpInc: ("Add to a counter field.", "Suma a un campo contador.")
        case .helpTag: ("Add to or remove from a set field.", "Agrega a o quita de un campo conjunto.")
        case .helpTagAdd: ("Add an element to a set field.", "Agrega un elemento a un campo conjunto.")
        case .helpTagRemove: ("Remove an element from a set field.", "Quita un elemento de un campo conjunto.")
        case .helpImport: ("Import JSON Lines, one changeset per transaction.", "Importa líneas JSON, un cambio por transacción.")
        case .helpQuery: ("Run a read-only SQL query over one view per collection.", "Ejecuta una consulta SQL de solo lectura sobre una vista por colección.")
        case .helpLog: ("List the changesets this store holds.", "Lista los cambios que guarda este almacén.")
        case .helpBlame: ("Show who wrote each current value of a record.", "Muestra quién escribió cada valor actual de un registro.")
        case .helpVerify: ("Check every signature, hash chain and authorship.", "Verifica cada firma, cadena de hashes y autoría.")

        case .optStore: ("Store directory (default: $TEJIDO_STORE, else the current directory).",
            "Carpeta del almacén (predeterminada: $TEJIDO_STORE, si no, la carpeta actual).")
        case .optJSON: ("Print JSON on stdout instead of text.",
            "Imprime JSON en la salida estándar en lugar de texto.")
        case .optLang: ("Language of messages: en or es (default: from LC_ALL, LC_MESSAGES or LANG).",
            "Idioma de los mensajes: en o es (predeterminado: según LC_ALL, LC_MESSAGES o LANG).")
        case .argRecordPath: ("NAMESPACE/COLLECTION/ID",
            "ESPACIO/COLECCIÓN/ID")
        case .argCollectionPath: ("NAMESPACE/COLLECTION",
            "ESPACIO/COLECCIÓN")
        case .optMessage: ("A note kept in the changeset.",
            "Una nota que se guarda en el cambio.")
        case .argSQL: ("One SELECT statement. Each collection is a view: namespace, id, then one column per field.",
            "Una sentencia SELECT. Cada colección es una vista: namespace, id y luego una columna por campo.")
        case .optQueryTimeout: ("Stop the query after this many seconds (0: no limit).",
            "Detiene la consulta después de estos segundos (0: sin límite).")
        case .argSetField: ("The set field.",
            "El campo conjunto.")
        case .argElement: ("The element (text).",
            "El elemento (texto).")
        case .argAssignments: ("FIELD=TEXT or FIELD:=JSON (a number, true, false, null or a quoted string).",
            "CAMPO=TEXTO o CAMPO:=JSON (un número, true, false, null o un texto entre comillas).")
        case .argNamespace: ("Namespace name or id.",
            "Nombre o id del espacio.")
        case .argRevokeKey: ("The key to revoke (tjk1... or 64 hex digits).",
            "La llave que se revoca (tjk1... o 64 dígitos hexadecimales).")
        case .optRevokeAfter: ("The last seq of the key's feed that stays valid (default: the last one this store holds).",
            "El último número de la cadena de esa llave que sigue siendo válido (predeterminado: el último que tiene este almacén).")
        case .argNamespaceName: ("The namespace's name.",
            "El nombre del espacio.")
        case .optAdmins: ("More admin keys, comma-separated: a joint namespace no single party controls.",
            "Más llaves administradoras, separadas por comas: un espacio conjunto que ninguna parte controla sola.")
        case .optPrivate: ("Private: sent only to nodes whose keys hold a role in it.",
            "Privado: solo se envía a nodos cuyas llaves tienen un rol en él.")
        case .argPetname: ("The local name (omit it to go back to the signed name).",
            "El nombre local (omítelo para volver al nombre firmado).")
        case .argRootFile: ("The file to write (sealed with a passphrase).",
            "El archivo que se escribe (sellado con una frase de paso).")
        case .optForgetRoot: ("Then delete this store's copy of the root secret.",
            "Después borra la copia del secreto raíz que guarda este almacén.")
        case .optPassphraseFile: ("Read the passphrase from this file (else TEJIDO_PASSPHRASE, else the terminal).",
            "Lee la frase de paso de este archivo (si no, de TEJIDO_PASSPHRASE; si no, de la terminal).")
        case .argRootImportFile: ("A file written by namespace export-root.",
            "Un archivo escrito por namespace export-root.")
        case .optNetwork: ("Start a new network with this name (the name is for you; the network id is random).",
            "Inicia una red nueva con este nombre (el nombre es para ti; el id de la red es aleatorio).")
        case .optJoin: ("Join an existing network by its id (tjnet1...); --network then only names it locally.",
            "Se une a una red existente por su id (tjnet1...); entonces --network solo le da un nombre local.")
        case .argSyncTargets: ("Peer names or URLs: ssh://[user@]host[:port]/path, tcp://host:port, or a store directory.",
            "Nombres de pares o URL: ssh://[usuario@]host[:puerto]/ruta, tcp://host:puerto o la carpeta de un almacén.")
        case .optSyncKey: ("Pin the peer's node key for a one-off URL (tjk1... or hex).",
            "Fija la llave de nodo del par para una URL que se usa una sola vez (tjk1... o hex).")
        case .optPullOnly: ("Only take changesets in.",
            "Solo recibe cambios.")
        case .optPushOnly: ("Only send changesets.",
            "Solo envía cambios.")
        case .optRemoteCommand: ("Program to run on the far side instead of `tejido` (ssh and local stores).",
            "Programa que se ejecuta del otro lado en lugar de `tejido` (ssh y almacenes locales).")
        case .optSSH: ("The ssh program (default: $TEJIDO_SSH, else ssh).",
            "El programa ssh (predeterminado: $TEJIDO_SSH, si no, ssh).")
        case .optSyncTimeout: ("Seconds of silence from the peer before giving up.",
            "Segundos de silencio del par antes de darse por vencido.")
        case .argPeerName: ("A name for the peer.",
            "Un nombre para el par.")
        case .argPeerURL: ("ssh://[user@]host[:port]/path, tcp://host:port, or a store directory (optional: a peer may be named only to pin its key).",
            "ssh://[usuario@]host[:puerto]/ruta, tcp://host:puerto o la carpeta de un almacén (opcional: un par puede nombrarse solo para fijar su llave).")
        case .optPeerKey: ("The peer's node key (required for tcp).",
            "La llave de nodo del par (obligatoria para tcp).")
        case .optShare: ("Offer it only these namespaces (comma-separated names or ids).",
            "Le ofrece solo estos espacios (nombres o ids separados por comas).")
        case .argExistingPeer: ("The peer's name.",
            "El nombre del par.")
        case .argGrantKey: ("The key to grant (tjk1... or 64 hex digits).",
            "La llave a la que se da el rol (tjk1... o 64 dígitos hexadecimales).")
        case .optRole: ("reader, writer or admin (a reader may not write; it may receive a private namespace).",
            "reader, writer o admin (un lector no puede escribir; puede recibir un espacio privado).")
        case .argBundleOut: ("The bundle file to write.",
            "El archivo de paquete que se escribe.")
        case .optBundleFor: ("Leave out what this peer (a name or a key) is known to hold.",
            "Deja fuera lo que se sabe que ya tiene este par (un nombre o una llave).")
        case .optBundleNamespace: ("Only these namespaces (repeat or separate with commas).",
            "Solo estos espacios (repite la opción o sepáralos con comas).")
        case .argBundleIn: ("The bundle (or receipt) file.",
            "El archivo de paquete (o de recibo).")
        case .optReceipt: ("Then write a receipt of what this store holds, to carry back to the sender.",
            "Después escribe un recibo de lo que tiene este almacén, para llevarlo de vuelta a quien lo envió.")
        case .argBundleFile: ("The bundle file.",
            "El archivo de paquete.")
        case .argImportFile: ("A JSON Lines file, or - for standard input.",
            "Un archivo de líneas JSON, o - para la entrada estándar.")
        case .optReplica: ("Keep only the lines of this replica (group).",
            "Toma solo las líneas de esta réplica (grupo).")
        case .optImportNamespace: ("Put every line into this namespace instead of the one named by its replica.",
            "Pone cada línea en este espacio en lugar del que nombra su réplica.")
        case .optResume: ("Continue a cut import of this same file where its last commit ended (nothing is imported twice).",
            "Continúa una importación cortada de este mismo archivo donde terminó su último guardado (nada se importa dos veces).")
        case .optAfterLine: ("Skip lines 1 to N (by hand; --resume does it for you).",
            "Salta las líneas 1 a N (a mano; --resume lo hace por ti).")
        case .optBatch: ("At most this many changesets per durable commit (a commit also happens every second).",
            "Cuántos cambios, como máximo, en cada guardado en disco (también se guarda cada segundo).")
        case .argCounterField: ("The counter field.",
            "El campo contador.")
        case .argDelta: ("How much to add (1 if neither this nor --by is given).",
            "Cuánto sumar (1 si no se da ni esto ni --by).")
        case .optBy: ("How much to add; may be negative, e.g. --by -3.",
            "Cuánto sumar; puede ser negativo, p. ej. --by -3.")
        case .optEnvelopes: ("Print each envelope, byte-exact, as one line of lowercase hex.",
            "Imprime cada sobre, byte por byte, como una línea de hex en minúsculas.")
        case .optLimit: ("Only the last N changesets.",
            "Solo los últimos N cambios.")
        case .optDeep: ("Also check the database file page by page (SQLite's integrity check): slower, finds damage the changesets do not show.",
            "También revisa el archivo de la base de datos página por página (la revisión de integridad de SQLite): más lento, encuentra daños que los cambios no muestran.")
        case .optStdio: ("Serve one session over stdin and stdout (what ssh and local syncs run).",
            "Atiende una sesión por stdin y stdout (lo que ejecutan ssh y las sincronizaciones locales).")
        case .optListen: ("Listen for TLS 1.3 clients on HOST:PORT (port 0 picks a free one).",
            "Espera clientes TLS 1.3 en HOST:PUERTO (el puerto 0 elige uno libre).")
        case .optAllow: ("Which client keys may connect: known, peers or any.",
            "Qué llaves de cliente pueden conectarse: known, peers o any.")
        case .optServeTimeout: ("Seconds a client may stay silent before its session ends.",
            "Segundos que un cliente puede quedarse en silencio antes de que termine su sesión.")
        case .optMaxSessions: ("Most sessions at once.",
            "Máximo de sesiones a la vez.")
        case .optReadOnly: ("Send changesets but take none in.",
            "Envía cambios pero no recibe ninguno.")

        case .helpNamespacePetname: ("Give a namespace a local name here (it overrides the signed name on this store only).",
                                     "Da a un espacio un nombre local (reemplaza el nombre firmado solo en este almacén).")
        case .clockFlagLine: ("  clock ahead: changeset {0} by {1} (fingerprint {2}) in {3} was stamped {4} ahead of this store's clock when it arrived; applied, but check that device's clock.",
                              "  reloj adelantado: el cambio {0} de {1} (huella {2}) en {3} llegó fechado {4} por delante del reloj de este almacén; se aplicó, pero revisa el reloj de ese equipo.")
        case .clockFlagsHeader: ("Changesets from a clock more than a day ahead ({0}):", "Cambios de un reloj adelantado más de un día ({0}):")
        case .errNoRootKey: ("This store does not hold the root secret of \"{0}\" (it was forgotten, or the namespace was made elsewhere). If you have its exported file: `tejido namespace import-root FILE`.",
                             "Este almacén no tiene el secreto raíz de \"{0}\" (se olvidó, o el espacio se creó en otro lado). Si tienes su archivo exportado: `tejido namespace import-root ARCHIVO`.")
        case .errWrongPassphrase: ("{0}: wrong passphrase, or the file was changed. Nothing was imported.",
                                   "{0}: frase de paso equivocada, o el archivo fue modificado. No se importó nada.")
        case .errNoPassphrase: ("A passphrase is needed: type it on the terminal, or give --passphrase-file FILE or TEJIDO_PASSPHRASE.",
                                "Se necesita una frase de paso: escríbela en la terminal, o usa --passphrase-file ARCHIVO o TEJIDO_PASSPHRASE.")
        case .errPassphraseMismatch: ("The two passphrases differ; nothing was written.", "Las dos frases de paso no coinciden; no se escribió nada.")
        case .rootExported: ("Wrote the root secret of {0} to {1}, sealed with your passphrase. Keep it offline; without the passphrase it is useless.",
                             "Se escribió el secreto raíz de {0} en {1}, sellado con tu frase de paso. Guárdalo fuera de línea; sin la frase no sirve.")
        case .rootForgotten: ("This store no longer holds that root secret; the file is the only copy.",
                              "Este almacén ya no guarda ese secreto raíz; el archivo es la única copia.")
        case .rootImported: ("This store now holds the root secret of {0}.", "Este almacén ya tiene el secreto raíz de {0}.")
        case .helpExportRoot: ("Write a namespace's root secret, sealed under a passphrase, for safekeeping.",
                               "Escribe el secreto raíz de un espacio, sellado con una frase de paso, para guardarlo.")
        case .helpImportRoot: ("Bring back a namespace's root secret from an exported file.", "Recupera el secreto raíz de un espacio desde un archivo exportado.")
        case .passphrasePrompt: ("Passphrase: ", "Frase de paso: ")
        case .passphraseAgain: ("Again: ", "Escríbela otra vez: ")
        case .quarantinedHeader: ("Quarantined: kept as evidence, not applied ({0}):", "En cuarentena: se guardan como evidencia, sin aplicar ({0}):")
        case .errBadTimeout: ("--timeout must be a number of seconds above 0 and at most 86400 (one day).",
                              "--timeout debe ser un número de segundos mayor que 0 y de como mucho 86400 (un día).")
        case .helpMembers: ("List who holds a role in a namespace, who granted it and when.",
                            "Lista quién tiene un rol en un espacio, quién se lo dio y cuándo.")
        case .membersHeader: ("KEY (* this node)\tROLE\tGRANTED BY\tWHEN\tCUT-OFF\tFULL KEY", "LLAVE (* este nodo)\tROL\tDADO POR\tCUÁNDO\tCORTE\tLLAVE COMPLETA")
        case .memberRoot: ("(root)", "(raíz)")
        case .helpRevoke: ("Take a key's role back: its changesets past a cut-off seq stop counting everywhere (admins only).",
                           "Quita el rol a una llave: sus cambios después de un número de corte dejan de contar en todas partes (solo administradores).")
        case .revoked: ("Revoked {0} in {1}: changesets of its feed past seq {2} no longer count (changeset {3})",
                        "Se revocó {0} en {1}: los cambios de su cadena después del número {2} ya no cuentan (cambio {3})")
        case .revokedAlready: ("{0} is already revoked in {1}: changesets of its feed past seq {2} do not count. Nothing was written.",
                               "{0} ya está revocada en {1}: los cambios de su cadena después del número {2} no cuentan. No se escribió nada.")
        case .warnRevokeNoRole: ("note: the key {0} holds no role in {1} on this store; check that it is the right key (a grant made on another store may not have arrived yet, and the revocation will hold when it does).",
                                 "nota: la llave {0} no tiene ningún rol en {1} en este almacén; revisa que sea la llave correcta (puede que un permiso dado en otro almacén aún no haya llegado, y la revocación valdrá cuando llegue).")
        case .warnRevokeLowerCutoff: ("note: an earlier revocation cuts it at seq {0}, and that stays in force: the lower cut-off counts.",
                                      "nota: una revocación anterior la corta en el número {0}, y esa sigue en vigor: cuenta el corte más bajo.")
        case .errCannotRevokeRoot: ("The root key of a namespace cannot be revoked: it holds every right by definition.",
                                    "La llave raíz de un espacio no se puede revocar: tiene todos los derechos por definición.")
        case .errCannotRevokeSelf: ("A revocation of this node's own key must leave the revocation itself standing: it will be change number {0} of this node's feed, so give `--after {0}` or more (or ask another admin to revoke this key).",
                                    "Una revocación de la llave de este nodo debe dejar en pie la revocación misma: será el cambio número {0} de su cadena, así que usa `--after {0}` o más (o pide a otra persona administradora que revoque esta llave).")
        case .memberRevoked: ("revoked after seq {0} by {1}", "revocada después del número {0} por {1}")
        case .memberNoRole: ("(none)", "(ninguno)")
        case .reasonNoRole: ("its author holds no role in the namespace", "su autor no tiene rol en el espacio")
        case .reasonRoleTooLow: ("its author is {0} and this needs {1}", "su autor es {0} y esto necesita {1}")
        case .reasonRevoked: ("its author was revoked after seq {0} (by {1})", "su autor fue revocado después del número {0} (por {1})")
        case .reasonFork: ("its author signed two different changesets at seq {0}: the feed stops before them",
                           "su autor firmó dos cambios distintos con el número {0}: su cadena se detiene antes de ellos")
        case .reasonBrokenChain: ("its prev is not its author's previous changeset", "su anterior no es el cambio previo de su autor")
        case .reasonPrevDoesNotCount: ("it changes who may write, and its author's previous changeset does not count",
                                        "cambia quién puede escribir, y el cambio anterior de su autor no cuenta")
        case .reasonNotYetAccepted: ("it changes who may write, and its author's right to do so is not established",
                                     "cambia quién puede escribir, y el derecho de su autor a hacerlo no está establecido")
        case .pendingHeader: ("Pending: waiting for changesets not held here ({0}):", "Pendientes: esperan cambios que no están aquí ({0}):")
        case .errRevoked: ("This node's key was revoked in namespace \"{0}\": its changes after number {1} no longer count, and it may not write there. Its admins (keys {2}) can grant it a role again with `tejido grant`.",
                           "La llave de este nodo fue revocada en el espacio \"{0}\": sus cambios después del número {1} ya no cuentan y no puede escribir ahí. Sus administradores (llaves {2}) pueden volver a darle un rol con `tejido grant`.")
        case .petnameSet: ("Namespace {0} is now called {1} in this store.", "El espacio {0} ahora se llama {1} en este almacén.")
        case .helpServe: ("Serve sync sessions: over stdin/stdout (--stdio) or TLS 1.3 (--listen HOST:PORT).",
                          "Ofrece sincronización: por stdin/stdout (--stdio) o TLS 1.3 (--listen HOST:PUERTO).")
        case .helpSync: ("Sync with peers: a peer name, ssh://[user@]host[:port]/path, tcp://host:port or a store directory.",
                         "Sincroniza con pares: un nombre de par, ssh://[usuario@]host[:puerto]/ruta, tcp://host:puerto o la carpeta de un almacén.")
        case .helpPeer: ("Name the peers this store syncs with.", "Nombra los pares con los que se sincroniza este almacén.")
        case .helpPeerAdd: ("Add a peer: a name, its URL and (for tcp) its pinned key.", "Agrega un par: un nombre, su URL y (para tcp) su llave fijada.")
        case .helpPeerList: ("List peers, when each was last synced and what is waiting.", "Lista los pares, cuándo se sincronizó cada uno y qué falta.")
        case .helpPeerRemove: ("Forget a peer.", "Olvida un par.")
        case .helpStatus: ("Show this store's state: digest, counts per namespace, pending changesets, peers.",
                           "Muestra el estado del almacén: resumen, cuentas por espacio, cambios pendientes, pares.")
        case .helpBundle: ("Carry changesets in a file (USB stick, messaging app).", "Lleva cambios en un archivo (memoria USB, mensajería).")
        case .helpBundleCreate: ("Write a bundle of changesets to a file.", "Escribe un paquete de cambios en un archivo.")
        case .helpBundleApply: ("Apply a bundle (or record a receipt carried back).", "Aplica un paquete (o registra un recibo traído de vuelta).")
        case .helpBundleInspect: ("Show what a bundle holds and check it, without applying it.", "Muestra qué contiene un paquete y lo revisa, sin aplicarlo.")

        case .verifyProgress: ("verifying: {0} changesets checked", "verificando: {0} cambios revisados")
        case .storeCreated: ("Created a store in {0}", "Se creó un almacén en {0}")
        case .networkLine: ("network:     {0}", "red:            {0}")
        case .keyLine: ("node key:    {0}", "llave del nodo: {0}")
        case .fingerprintLine: ("fingerprint: {0}", "huella:         {0}")
        case .namespaceCreated: ("Created namespace {0} ({1})", "Se creó el espacio {0} ({1})")
        case .granted: ("Granted {0} to {1} in {2} (changeset {3})", "Se dio el rol {0} a {1} en {2} (cambio {3})")
        case .grantUnchanged: ("{0} already holds the role {1} in {2}; roles only go up, so nothing was written (to take a role back: tejido revoke).",
                               "{0} ya tiene el rol {1} en {2}; los roles solo suben, así que no se escribió nada (para quitar un rol: tejido revoke).")
        case .committed: ("Committed changeset {0}", "Se guardó el cambio {0}")
        case .noRecords: ("No records.", "No hay registros.")
        case .importProgress: ("{0} changesets, {1} ops committed ({2} ops/s)", "{0} cambios, {1} operaciones guardadas ({2} op/s)")
        case .importDone: ("Imported {1} ops in {0} changesets in {2} s ({3} ops/s).",
                           "Importación hecha: operaciones: {1}; cambios: {0}; en {2} s ({3} op/s).")
        case .verifyOK: ("All checks passed.", "Todas las verificaciones pasaron.")
        case .verifyFailed: ("{0} problems found. Keep a copy of the store's folder as it is, then build a new store from a healthy peer: `tejido init --join NETWORK --store NEW` and `tejido sync PEER --store NEW`.",
                             "Problemas encontrados: {0}. Guarda una copia de la carpeta del almacén tal como está y arma un almacén nuevo desde un par sano: `tejido init --join RED --store NUEVO` y `tejido sync PAR --store NUEVO`.")
        case .verifyCounts: ("{0} changesets checked: {1} applied, {2} pending, {3} quarantined",
                             "Cambios verificados: {0} (aplicados: {1}; pendientes: {2}; en cuarentena: {3})")
        case .blameHeader: ("FIELD\tVALUE\tAUTHOR\tWHEN\tCHANGESET\tOVERWRITTEN", "CAMPO\tVALOR\tAUTOR\tCUÁNDO\tCAMBIO\tSOBRESCRITOS")
        case .queryRows: ("({0} rows)", "(filas: {0})")
        case .noNamespaces: ("No namespaces yet. Create one with: tejido namespace create NAME",
                             "Aún no hay espacios. Crea uno con: tejido namespace create NOMBRE")
        case .namespaceHeader: ("NAME\tID\tROLE\tCHANGESETS\tRECORDS", "NOMBRE\tID\tROL\tCAMBIOS\tREGISTROS")
        case .logPending: ("pending", "pendiente")
        case .logOps: ("{0} ops", "{0} op.")
        case .detailServeMode: ("give --stdio or --listen HOST:PORT", "usa --stdio o --listen HOST:PUERTO")
        case .detailArrayOrObject: ("an array or an object was given, and neither is taken", "se dio un arreglo o un objeto, y no se acepta ninguno de los dos")
        case .logQuarantined: ("quarantined", "en cuarentena")
        case .warnTrimmedView: ("warning: collection \"{0}\" has more fields than a view may show; its view leaves out the {1} used by the fewest records and shows {2} (tejido get shows every field of a record).",
                                "aviso: la colección \"{0}\" tiene más campos de los que una vista puede mostrar; su vista deja fuera los {1} que menos registros usan y muestra {2} (tejido get muestra todos los campos de un registro).")
        case .warnSkippedView: ("warning: collection \"{0}\" has no view here: another collection's name differs from it only in case.",
                                "aviso: la colección \"{0}\" no tiene vista aquí: el nombre de otra colección solo difiere en mayúsculas.")

        case .syncProgress: ("{0}: sent {1}/{2}, received {3} (+{4} to come), {5} ({6} changesets/s){7}",
                             "{0}: enviados {1}/{2}, recibidos {3} (+{4} por llegar), {5} ({6} cambios/s){7}")
        case .syncDone: ("Synced with {0}: sent {1}, received {2} ({3} applied, {4} already here, {5} pending, {6} quarantined) in {7} s; {8} bytes out, {9} in.",
                         "Sincronizado con {0}: enviados {1}, recibidos {2} (aplicados: {3}; ya estaban: {4}; pendientes: {5}; en cuarentena: {6}) en {7} s; bytes enviados: {8}, recibidos: {9}.")
        case .serveListening: ("Listening on {0} as {1} (fingerprint {2}); clients allowed: {3}. Ctrl-C stops.",
                               "Escuchando en {0} como {1} (huella {2}); clientes permitidos: {3}. Presiona Ctrl-C para detenerlo.")
        case .serveSession: ("{0} {1}: sent {2}, received {3}", "{0} {1}: enviados {2}, recibidos {3}")
        case .serveClientPinsNoKey: ("the client has no key pinned for this server and would not go on; it needs this server's key (`tejido key show` here) pinned with `tejido peer add NAME URL --key KEY` or `sync --key`",
            "el cliente no tiene fijada ninguna llave para este servidor y no quiso seguir; necesita la llave de este servidor (`tejido key show` aquí) fijada con `tejido peer add NOMBRE URL --key LLAVE` o `sync --key`")
        case .serveClientPinsOtherKey: ("the client expects another key for this server and would not go on; if this server's key is the right one (`tejido key show` here), the client must pin it instead",
            "el cliente espera otra llave para este servidor y no quiso seguir; si la llave de este servidor es la correcta (`tejido key show` aquí), el cliente debe fijarla en su lugar")
        case .serveSessionFailed: ("{0} {1}: {2}", "{0} {1}: {2}")
        case .serveTurnedAway: ("turned away for now and told to try again later ({0})",
                                "rechazado por ahora; se le pidió que vuelva a intentarlo más tarde ({0})")
        case .serveConnectionCut: ("the connection was cut ({0}); what the session committed stays, and the client sends or fetches the rest next time",
                                   "la conexión se cortó ({0}); lo que la sesión guardó se queda, y el cliente envía o trae el resto la próxima vez")
        case .serveStopped: ("Stopped.", "Detenido.")
        case .peerAdded: ("Added peer {0} ({1})", "Se agregó el par {0} ({1})")
        case .peerRemoved: ("Removed peer {0}", "Se quitó el par {0}")
        case .peerHeader: ("NAME\tURL\tKEY\tLAST SYNC\tTO SEND\tTO RECEIVE", "NOMBRE\tURL\tLLAVE\tÚLTIMA SINC.\tPOR ENVIAR\tPOR RECIBIR")
        case .noPeers: ("No peers yet. Add one with: tejido peer add NAME URL [--key KEY]",
                        "Aún no hay pares. Agrega uno con: tejido peer add NOMBRE URL [--key LLAVE]")
        case .never: ("never", "nunca")
        case .statusNetwork: ("network {0}, node key {1} ({2})", "red {0}, llave del nodo {1} ({2})")
        case .statusDigest: ("state digest: {0}", "resumen del estado: {0}")
        case .statusCounts: ("changesets: {0} applied, {1} pending, {2} quarantined", "cambios: aplicados {0}; pendientes {1}; en cuarentena {2}")
        case .statusNamespaces: ("Namespaces:", "Espacios:")
        case .statusPeers: ("Peers:", "Pares:")
        case .bundleUntraced: ("changesets whose author is not traced to its namespace root by grants inside the bundle: {0}",
                               "cambios cuyo autor no tiene, dentro del paquete, permisos que lleven hasta la raíz de su espacio: {0}")
        case .bundleVerdictDamaged: ("damaged at byte {0}: {1}", "dañado en el byte {0}: {1}")
        case .bundleVerdictInvalid: ("{0} changesets fail verification", "cambios que no pasan la verificación: {0}")
        case .bundleVerdictOK: ("every changeset verifies, trailer ok", "todos los cambios se verifican; cierre correcto")
        case .bundleCreated: ("Wrote {0}: {1} changesets, {2} bytes.", "Se escribió {0}: {1} cambios, {2} bytes.")
        case .bundleApplied: ("Applied {0}: {1} changesets read ({2} applied, {3} already here, {4} pending, {5} quarantined).",
                              "Se aplicó {0}: cambios leídos: {1} (aplicados: {2}; ya estaban: {3}; pendientes: {4}; en cuarentena: {5}).")
        case .bundleDamaged: ("The bundle is damaged at byte {0} ({1}); every complete changeset before that point was applied. Ask for a new copy.",
                              "El paquete está dañado en el byte {0} ({1}); se aplicó cada cambio completo antes de ese punto. Pide una copia nueva.")
        case .bundleDamagedNothing: ("The bundle is damaged at byte {0} ({1}); no changeset was applied. Ask for a new copy.",
                                     "El paquete está dañado en el byte {0} ({1}); no se aplicó ningún cambio. Pide una copia nueva.")
        case .bundleInspect: ("bundle from {0}, made {1}: {2} changesets in {3} namespaces, {4} bytes; {5}",
                              "paquete de {0}, creado el {1}: cambios: {2}; espacios: {3}; bytes: {4}; {5}")
        case .receiptWritten: ("Wrote receipt {0}: carry it back and run `tejido bundle apply {0}` on the sending store.",
                               "Se escribió el recibo {0}: llévalo de vuelta y ejecuta `tejido bundle apply {0}` en el almacén que envió.")
        case .receiptApplied: ("Recorded what {0} holds, from receipt {1}.", "Se registró lo que tiene {0}, según el recibo {1}.")
        case .reasonUnsupportedVersion: ("the peer speaks another protocol version", "el par habla otra versión del protocolo")
        case .reasonWrongNetwork: ("the peer's store belongs to another network", "el almacén del par pertenece a otra red")
        case .reasonMalformed: ("a malformed message", "un mensaje mal formado")
        case .reasonUnknownMessage: ("a message of an unknown type", "un mensaje de tipo desconocido")
        case .reasonTooLarge: ("a frame over the size limit", "un marco más grande que el límite")
        case .reasonUnexpected: ("a message out of order", "un mensaje fuera de orden")
        case .reasonInvalidChangeset: ("a changeset that fails verification; its batch was not applied", "un cambio que no pasa la verificación; su lote no se aplicó")
        case .reasonPeerNotAllowed: ("the server does not let this node's key in; ask its owner to pin it (tejido peer add NAME --key, with this node's `tejido key show`), or, unless it serves with --allow peers, to grant it a role",
                                     "el servidor no deja entrar la llave de este nodo; pide a quien lo administra que la fije (tejido peer add NOMBRE --key, con la de `tejido key show` de este nodo), o, si no atiende con --allow peers, que le dé un rol")
        case .reasonTimeout: ("the peer went silent: time ran out", "el par dejó de responder y se agotó el tiempo")
        case .reasonStore: ("a store error", "un error del almacén")
        case .reasonShuttingDown: ("the server is stopping", "el servidor se está deteniendo")
        case .reasonConnectionLost: ("the connection was cut; what was committed stays, run sync again to finish",
                                     "la conexión se cortó; lo guardado se queda, vuelve a sincronizar para terminar")
        case .reasonOther: ("an error", "un error")
        case .reasonCannotConnect: ("cannot reach the peer; check the address and that it is serving", "no se puede llegar al par; revisa la dirección y que esté atendiendo")
        case .reasonServerBusy: ("the server cannot take another session now; try again later",
                           "el servidor no puede atender otra sesión ahora; vuelve a intentarlo más tarde")
        case .errStdioHandshake: ("serve --stdio: the other end did not start a TLS session ({0}). This is what `tejido sync` runs on the far side of an ssh or directory sync; run that instead.",
                                  "serve --stdio: el otro lado no empezó una sesión TLS ({0}). Esto es lo que `tejido sync` corre del otro lado de una sincronización por ssh o por carpeta; usa eso.")
        case .warnPeerReadOnly: ("note: {0} takes no changesets (it serves read-only); nothing was sent to it.",
                                 "nota: {0} no recibe cambios (atiende en modo de solo lectura); no se le envió nada.")
        case .errPeerNeedsURLOrKey: ("Give the peer a URL to sync with, or --key KEY to pin its key (or both).",
                                     "Da al par una URL para sincronizar, o --key LLAVE para fijar su llave (o ambas).")
        case .bundleVerdictTrailer: ("every changeset verifies, but the trailer does not match: the file was changed or cut",
                                     "cada cambio se verifica, pero el cierre no coincide: el archivo se modificó o se cortó")
        case .receiptVerdictOK: ("trailer ok", "cierre correcto")
        case .receiptInspect: ("receipt from {0}, made {1}: what it holds of {2} namespaces; {3}",
                               "recibo de {0}, creado el {1}: lo que tiene de los espacios ({2}); {3}")
        case .errCannotWrite: ("Cannot write {0}: {1}. Nothing was written.", "No se puede escribir {0}: {1}. No se escribió nada.")
        case .errPeerHasNoURL: ("Peer \"{0}\" has no URL (it was added only to pin its key); give a URL to sync with it.",
                                "El par \"{0}\" no tiene URL (se agregó solo para fijar su llave); da una URL para sincronizar con él.")

        case .errNotAStore: ("{0} is not a Tejido store. Create one with `tejido init --network NAME` or pass --store DIR.",
                             "{0} no es un almacén de Tejido. Crea uno con `tejido init --network NOMBRE` o usa --store CARPETA.")
        case .errForeignDatabase: ("{0} is not a Tejido database (another program's file, or damaged). Nothing was changed; use another directory for the store.",
                                   "{0} no es una base de datos de Tejido (es de otro programa, o está dañada). No se cambió nada; usa otra carpeta para el almacén.")
        case .errAlreadyAStore: ("{0} already holds a store; nothing was changed.", "{0} ya tiene un almacén; no se cambió nada.")
        case .errPathTooLong: ("The store's folder has a path of {0} bytes; SQLite opens a store only in a folder whose path has at most {1} bytes. Nothing was changed. Use a folder with a shorter path.",
            "La carpeta del almacén tiene una ruta de {0} bytes; SQLite solo abre un almacén en una carpeta cuya ruta tenga como máximo {1} bytes. No se cambió nada. Usa una carpeta con una ruta más corta.")
        case .errNodeKeyWithoutStore: ("{0} is a node key with no store beside it; init would replace it, and with it this node's identity and roles. Nothing was changed. Move the key elsewhere and keep it (it is what identifies this node to its groups), or make the store in another directory. A key left by an init that was interrupted signed nothing and can be removed.",
            "{0} es la llave de un nodo sin almacén al lado; init la reemplazaría, y con ella la identidad y los roles de este nodo. No se cambió nada. Mueve la llave a otro lugar y guárdala (es la que identifica a este nodo ante sus grupos), o crea el almacén en otra carpeta. Una llave que dejó un init interrumpido no firmó nada y se puede borrar.")
        case .errCorruptStore: ("The store file {0} is damaged or not a Tejido database ({1}). Nothing was changed. Keep a copy of the folder as it is; restore a backup, or build a new store from a peer (`tejido init --join NETWORK --store NEW`, then `tejido sync PEER --store NEW`).",
                                "El archivo {0} está dañado o no es una base de Tejido ({1}). No se cambió nada. Guarda una copia de la carpeta tal como está; restaura un respaldo, o arma un almacén nuevo desde un par (`tejido init --join RED --store NUEVO` y luego `tejido sync PAR --store NUEVO`).")
        case .errNewerSchema: ("This store was written by a newer Tejido (schema {0}; this one knows up to {1}). Upgrade tejido.",
                               "Este almacén lo escribió un Tejido más nuevo (esquema {0}; este conoce hasta {1}). Actualiza tejido.")
        case .errOwnStoreFile: ("{0} is one of this store's own files: writing there would destroy the store. Nothing was written; give a path outside the store's folder, or another name.",
                                "{0} es uno de los archivos del propio almacén: escribir ahí lo destruiría. No se escribió nada; da una ruta fuera de la carpeta del almacén, u otro nombre.")
        case .errNotARootExport: ("{0} is not a root secret written by `tejido namespace export-root` (or it was changed); nothing was imported.",
                                  "{0} no es un secreto raíz escrito por `tejido namespace export-root` (o fue modificado); no se importó nada.")
        case .errEmptyPassphraseFile: ("{0} is empty: write the passphrase in it (on one line), or leave out --passphrase-file to type it.",
                                       "{0} está vacío: escribe en él la frase de paso (en una línea), o quita --passphrase-file para escribirla.")
        case .errKeyFile: ("Key file {0}: {1}", "Archivo de llave {0}: {1}")
        case .errUnknownNamespace: ("No namespace named \"{0}\" in this store. See `tejido namespace list`.",
                                    "No hay un espacio llamado \"{0}\" en este almacén. Mira `tejido namespace list`.")
        case .errAmbiguousNamespace: ("Several namespaces are named \"{0}\": give its id (tjns1...) instead.",
                                      "Varios espacios se llaman \"{0}\": usa su id (tjns1...).")
        case .errNamespaceExists: ("A namespace named \"{0}\" already exists here.", "Ya existe aquí un espacio llamado \"{0}\".")
        case .errBadQueryTimeout: ("--timeout must be a number of seconds from 0 (no limit) to 86400 (one day).",
                                   "--timeout debe ser un número de segundos de 0 (sin límite) a 86400 (un día).")
        case .errImportRunning: ("Another import of this file is running in this store now. Nothing was imported: wait for it to end.",
                                 "Otra importación de este archivo está corriendo ahora en este almacén. No se importó nada: espera a que termine.")
        case .errCannotReadInput: ("Cannot read {0}: {1}. Nothing was imported.", "No se puede leer {0}: {1}. No se importó nada.")
        case .errQueryTimedOut: ("The query ran for {0} s and was stopped. Give `--timeout SECONDS` for a longer limit (0: none).",
                                 "La consulta duró {0} s y se detuvo. Usa `--timeout SEGUNDOS` para un límite mayor (0: ninguno).")
        case .errReadOnlyStore: ("The store's database {0} cannot be written by this user: Tejido needs to write in the store's directory and its files, even to read (SQLite's log). Check their owner and permissions.",
                                 "Este usuario no puede escribir la base de datos del almacén {0}: Tejido necesita escribir en la carpeta del almacén y sus archivos, incluso para leer (el registro de SQLite). Revisa su dueño y permisos.")
        case .errCannotOpenStore: ("Cannot open the store's database {0} ({1}): check that it is a file and that its directory can be read.",
                                   "No se puede abrir la base de datos del almacén {0} ({1}): revisa que sea un archivo y que su carpeta se pueda leer.")
        case .errQueryResultTooLarge: ("The query's result passed {0} MiB and was stopped: ask for fewer rows (WHERE, LIMIT) or for totals (count, sum).",
                                       "El resultado de la consulta pasó de {0} MiB y se detuvo: pide menos filas (WHERE, LIMIT) o totales (count, sum).")
        case .errPragmaInQuery: ("`tejido query` takes SELECT statements over the collections' views; PRAGMA statements and pragma functions are not offered there, not even those that only read. Nothing was changed.",
                                 "`tejido query` acepta sentencias SELECT sobre las vistas de las colecciones; ahí no se ofrecen sentencias PRAGMA ni funciones pragma, ni siquiera las que solo leen. No se cambió nada.")
        case .errOutOfDescriptors: ("Cannot open {0} ({1}): no more files can be opened now. Raise this process's limit (`ulimit -n`) or close other programs, then try again.",
                                    "No se puede abrir {0} ({1}): ahora no se pueden abrir más archivos. Sube el límite de este proceso (`ulimit -n`) o cierra otros programas, y vuelve a intentarlo.")
        case .errArgumentNotUTF8: ("argument {0} is not valid UTF-8 text; nothing was done.",
                                   "el argumento {0} no es texto UTF-8 válido; no se hizo nada.")
        case .errNameLooksLikeKey: ("\"{0}\" reads as a key or a namespace id, and would be taken for one: choose another name.",
                                    "\"{0}\" se lee como una llave o el id de un espacio, y se tomaría por uno: elige otro nombre.")
        case .errInvalidName: ("\"{0}\" is not a valid name: use 1 to 64 letters, digits, _ or -, starting with a letter.",
                               "\"{0}\" no es un nombre válido: usa de 1 a 64 letras, dígitos, _ o -, empezando con una letra.")
        case .errInvalidRecordID: ("\"{0}\" is not a valid record id: 1 to 256 bytes, no control characters.",
                                   "\"{0}\" no es un id de registro válido: de 1 a 256 bytes, sin caracteres de control.")
        case .errInvalidField: ("\"{0}\" is not a valid field name (letters, digits, _ or -, starting with a letter; not id or namespace).",
                                "\"{0}\" no es un nombre de campo válido (letras, dígitos, _ o -, empezando con letra; no id ni namespace).")
        case .detailImportNotJSON: ("not JSON: {0}", "no es JSON: {0}")
        case .detailImportNotAnObject: ("not a JSON object", "no es un objeto JSON")
        case .detailImportDuplicateKey: ("key \"{0}\" appears twice", "la clave \"{0}\" aparece dos veces")
        case .detailImportInvalidUTF8: ("invalid UTF-8", "UTF-8 no válido")
        case .detailImportMissingReplica: ("\"replica\" is missing or is not text", "\"replica\" falta o no es un texto")
        case .detailImportMissingTxn: ("\"txn\" is missing or is not a whole number that fits in 64 bits", "\"txn\" falta o no es un número entero que quepa en 64 bits")
        case .detailImportBadOp: ("\"op\" must be set, inc, add, remove or delete", "\"op\" debe ser set, inc, add, remove o delete")
        case .detailImportBadCollection: ("\"collection\" must be a name (letters, digits, _ or -, starting with a letter)",
                                          "\"collection\" debe ser un nombre (letras, dígitos, _ o -, empezando con una letra)")
        case .detailImportBadID: ("\"id\" must be 1 to 256 bytes of text, with no control characters", "\"id\" debe ser un texto de 1 a 256 bytes, sin caracteres de control")
        case .detailImportBadField: ("\"field\" must be a name other than id and namespace", "\"field\" debe ser un nombre distinto de id y namespace")
        case .detailImportBadValue: ("missing or non-scalar \"value\"", "falta \"value\" o no es un valor simple")
        case .detailImportIncNeedsInteger: ("inc needs a whole-number value that fits in 64 bits", "inc necesita un valor entero que quepa en 64 bits")
        case .detailImportTooManyOps: ("txn {0} has more than {1} ops (one changeset's limit)", "la txn {0} tiene más de {1} operaciones (el límite de un cambio)")
        case .detailImportTxnTooLarge: ("txn {0} is too large for one changeset (1 MiB)", "la txn {0} es demasiado grande para un cambio (1 MiB)")
        case .detailImportLineTooLong: ("line longer than {0} bytes", "línea de más de {0} bytes")
        case .detailImportChangesetTooLarge: ("txn {0}: {1} (its removes name every add they observed); split the txn",
            "la txn {0}: {1} (sus remove nombran cada add que observaron); divide la txn")
        case .errImportNotAuthorized: ("Import line {0}: this node may not write in namespace \"{1}\" (needs the writer role). Only its admins can grant that (keys {2}; see `tejido members {1}`); or import only a replica this node may write, with --replica NAME. Nothing was imported.",
            "Línea {0} de la importación: este nodo no puede escribir en el espacio \"{1}\" (necesita el rol writer). Solo sus administradores pueden darlo (llaves {2}; ver `tejido members {1}`); o importa solo una réplica en la que este nodo pueda escribir, con --replica NOMBRE. No se importó nada.")
        case .errNotAuthorized: ("This node may not write in namespace \"{0}\" (needs the {1} role). Only its admins can grant that (keys {2}; see `tejido members {0}`): ask one of them to run `tejido grant {0} KEY --role {1}` with this node's key (`tejido key show`).",
                                 "Este nodo no puede escribir en el espacio \"{0}\" (necesita el rol {1}). Solo sus administradores pueden darlo (llaves {2}; ver `tejido members {0}`): pide a una de esas personas que ejecute `tejido grant {0} LLAVE --role {1}` con la llave de este nodo (`tejido key show`).")
        case .errRecordNotFound: ("No record {0} (missing or deleted).", "No existe el registro {0} (falta o fue borrado).")
        case .errInvalidChangeset: ("Invalid changeset: {0}", "Cambio no válido: {0}")
        case .errWrongNetwork: ("The changeset belongs to another network.", "El cambio pertenece a otra red.")
        case .errInvalidChain: ("Broken hash chain: this node already holds its changeset {0} in the namespace, past its applied head {1}.",
            "Cadena de hashes rota: este nodo ya tiene su cambio {0} en el espacio, más allá de la cabeza aplicada {1}.")
        case .errStoreBusyImport: ("The store is busy: another command (an import or a sync, say) has been writing to it for more than 10 seconds. The batch in progress was rolled back; lines 1 to {0} of the input are in the store. Once the other command ends, go on from there: the same import with --resume (a file, same options), or with --after-line {0}.",
            "El almacén está ocupado: otro comando (una importación o una sincronización, por ejemplo) lleva más de 10 segundos escribiendo en él. El lote en curso se deshizo; las líneas 1 a {0} de la entrada están en el almacén. Cuando el otro termine, sigue desde ahí: la misma importación con --resume (un archivo, mismas opciones), o con --after-line {0}.")
        case .errBundleSameNodeNotAFile: ("{0} was made by this node's key: such a bundle is checked against this store's own feed before anything is applied, which needs a regular file (not a pipe). Copy it to a file and apply that. Nothing was applied.",
            "{0} lo hizo la llave de este nodo: un paquete así se compara con la cadena propia de este almacén antes de aplicar nada, y para eso hace falta un archivo normal (no una tubería). Cópialo a un archivo y aplica ese. No se aplicó nada.")
        case .errStoreBusy: ("The store is busy: another command (an import or a sync, say) has been writing to it for more than 10 seconds. This command stopped there: what it had already committed stays, nothing else was written. Try again once the other one ends.",
            "El almacén está ocupado: otro comando (una importación o una sincronización, por ejemplo) lleva más de 10 segundos escribiendo en él. Este comando se detuvo ahí: lo que ya había guardado se queda, y no se escribió nada más. Intenta de nuevo cuando el otro termine.")
        case .errBadImportLineAfterCommits: ("Import line {0}: {1}. Lines 1 to {2} are in the store (committed before that line was reached); once the line is fixed, run the import again with --after-line {2}.",
                                             "Línea {0} de la importación: {1}. Las líneas 1 a {2} están en el almacén (se guardaron antes de llegar a esa línea); cuando la corrijas, vuelve a importar con --after-line {2}.")
        case .errBadImportLine: ("Import line {0}: {1}. Nothing was imported.", "Línea {0} de la importación: {1}. No se importó nada.")
        case .errInputChanged: ("The input file changed while it was being imported. Lines 1 to {0} are in the store; once the file is complete, run the import again with --after-line {0}.",
                                "El archivo de entrada cambió mientras se importaba. Las líneas 1 a {0} están en el almacén; cuando el archivo esté completo, vuelve a importar con --after-line {0}.")
        case .errInputChangedNothing: ("The input file changed while it was being read; nothing was imported. Import it again once it is complete.",
                                       "El archivo de entrada cambió mientras se leía; no se importó nada. Vuelve a importarlo cuando esté completo.")
        case .errNothingToResume: ("This store holds no cut import of {0} (with these options) to resume; nothing was changed.",
                                   "Este almacén no tiene una importación cortada de {0} (con estas opciones) que continuar; no se cambió nada.")
        case .errReadOnlyQuery: ("`tejido query` is read-only; this statement would change data: {0}",
                                 "`tejido query` es de solo lectura; esta sentencia cambiaría datos: {0}")
        case .errQueryFailed: ("Query failed: {0}", "La consulta falló: {0}")
        case .errDiskFull: ("The disk is full; the change in progress was rolled back, and what was committed before it stays. Free some space and try again.",
                            "El disco está lleno; el cambio en curso se deshizo y lo que ya estaba guardado se queda. Libera espacio e intenta de nuevo.")
        case .errDiskFullImport: ("The disk is full; the batch in progress was rolled back, and the batches committed before it stay. Free some space, then go on from there: `tejido import {0} --resume` (with the same options).",
                                  "El disco está lleno; el lote en curso se deshizo y los lotes ya guardados se quedan. Libera espacio y sigue desde ahí: `tejido import {0} --resume` (con las mismas opciones).")
        case .errBundleStopped: ("Stopped by a signal: {0} was not written (its unfinished part was removed); the store is unchanged.",
                                 "Detenido por una señal: no se escribió {0} (se borró la parte sin terminar); el almacén no cambió.")
        case .errSyncStopped: ("Stopped by a signal. What was received and committed before it stays in the store; the batch in progress is dropped. Run the same sync again to go on: it starts from what both sides hold then.",
                               "Detenido por una señal. Lo recibido y guardado antes se queda en el almacén; el lote en curso se descarta. Vuelve a correr el mismo sync para seguir: parte de lo que los dos lados tengan entonces.")
        case .errBundleApplyStopped: ("Stopped by a signal. The changesets of {0} applied before it stay in the store; the batch in progress is dropped and no receipt was written. Run `tejido bundle apply {0}` again to go on: what the store already holds is skipped.",
                                      "Detenido por una señal. Los cambios de {0} aplicados antes se quedan en el almacén; el lote en curso se descarta y no se escribió recibo. Vuelve a correr `tejido bundle apply {0}` para seguir: lo que el almacén ya tiene se salta.")
        case .errImportStopped: ("Stopped by a signal. The batches committed before it stay in the store ({0} changesets or more); the one in progress is dropped. `tejido import {1} --resume` (with the same options) goes on after them; if it finds nothing to resume, nothing was committed: run the same import again.",
                                 "Detenido por una señal. Los lotes guardados antes se quedan en el almacén ({0} cambios o más); el que estaba en curso se descarta. `tejido import {1} --resume` (con las mismas opciones) sigue después de ellos; si no encuentra nada que reanudar, no se guardó nada: vuelve a correr la misma importación.")
        case .errImportStoppedStdin: ("Stopped by a signal. The batches committed before it stay in the store ({0} changesets or more); the one in progress is dropped. Standard input cannot be resumed: see `tejido log` for what the store holds before giving the rest again.",
                                      "Detenido por una señal. Los lotes guardados antes se quedan en el almacén ({0} cambios o más); el que estaba en curso se descarta. La entrada estándar no se puede reanudar: mira `tejido log` para ver qué tiene el almacén antes de dar el resto otra vez.")
        case .errDiskFullImportNothing: ("The disk is full; nothing of {0} was imported. Free some space, then run the same import again.",
                                         "El disco está lleno; no se importó nada de {0}. Libera espacio y vuelve a correr la misma importación.")
        case .errDatabase: ("Database error: {0}", "Error de la base de datos: {0}")
        case .errInvalidNetworkID: ("\"{0}\" is not a network id (tjnet1...).", "\"{0}\" no es un id de red (tjnet1...).")
        case .errInvalidKey: ("\"{0}\" is not a public key: expected tjk1... text (check for a typo) or 64 hex digits.",
                              "\"{0}\" no es una llave pública: se espera texto tjk1... (revisa si hay un error de dedo) o 64 dígitos hex.")
        case .errBadCollectionPath: ("\"{0}\" is not NAMESPACE/COLLECTION (one record is shown by tejido get NAMESPACE/COLLECTION/ID).",
                                     "\"{0}\" no tiene la forma ESPACIO/COLECCIÓN (un solo registro se muestra con tejido get ESPACIO/COLECCIÓN/ID).")
        case .errBadPath: ("\"{0}\" is not NAMESPACE/COLLECTION/ID.", "\"{0}\" no tiene la forma ESPACIO/COLECCIÓN/ID.")
        case .errBadAssignment: ("\"{0}\" is not FIELD=TEXT or FIELD:=JSON.", "\"{0}\" no tiene la forma CAMPO=TEXTO o CAMPO:=JSON.")
        case .errBadJSONValue: ("\"{0}\": the value after := must be a JSON number, true, false, null or a string ({1}).",
                                "\"{0}\": el valor después de := debe ser un número JSON, true, false, null o un texto entre comillas ({1}).")
        case .errIncTwoAmounts: ("Two amounts, {0} and --by {1}: give one of them.",
            "Dos cantidades, {0} y --by {1}: indica solo una.")
        case .errDeltaOutOfRange: ("{0} is out of range: an amount is at most 9223372036854775807 either way.",
            "{0} está fuera de rango: una cantidad llega a lo más a 9223372036854775807 en cualquier sentido.")
        case .errBadDelta: ("\"{0}\" is not a whole number.", "\"{0}\" no es un número entero.")
        case .errNeedNetwork: ("Give --network NAME to start a network or --join NETWORK_ID to join one.",
                               "Usa --network NOMBRE para iniciar una red o --join ID_DE_RED para unirte a una.")
        case .serveClientRefused: ("client refused: its key {0} is not allowed here (--allow {1}); to let it in, pin it (`tejido peer add NAME --key {0}`) or grant it a role",
                                   "cliente rechazado: su llave {0} no tiene permiso aquí (--allow {1}); para aceptarlo, fíjala (`tejido peer add NOMBRE --key {0}`) o dale un rol")
        case .serveClientRefusedPeers: ("client refused: its key {0} is not pinned here (--allow peers); to let it in, pin it: `tejido peer add NAME --key {0}`",
                                        "cliente rechazado: su llave {0} no está fijada aquí (--allow peers); para aceptarlo, fíjala: `tejido peer add NOMBRE --key {0}`")
        case .errBundleUnreadable: ("{0} is not a readable Tejido bundle: {1}.", "{0} no es un paquete de Tejido legible: {1}.")
        case .errNotPeerOrKey: ("\"{0}\" is neither a peer name nor a key (tjk1... or 64 hex digits); see `tejido peer list`.",
                                "\"{0}\" no es un nombre de par ni una llave (tjk1... o 64 dígitos hex); consulta `tejido peer list`.")
        case .errCannotReadFile: ("Cannot read {0}: {1}.", "No se puede leer {0}: {1}.")
        case .errUnknownCollection: ("There is no collection \"{0}\" to query (each collection is a view; names are case-insensitive). Collections here: {1}.",
                                     "No hay una colección \"{0}\" que consultar (cada colección es una vista; no se distinguen mayúsculas). Colecciones aquí: {1}.")
        case .problemFormat: ("format", "formato")
        case .problemID: ("id", "id")
        case .problemSignature: ("signature", "firma")
        case .problemChain: ("chain", "cadena")
        case .problemDeps: ("deps", "dependencias")
        case .problemAuthority: ("authority", "autoridad")
        case .problemFork: ("fork", "bifurcación")
        case .problemDatabase: ("database", "base de datos")
        case .detailBadID: ("the stored id is not the SHA-256 of the body", "el id guardado no es el SHA-256 del cuerpo")
        case .detailBadSignature: ("the signature does not verify", "la firma no es válida")
        case .detailTooManyOpenFiles: ("too many open files to serve a session (ulimit -n)",
            "demasiados archivos abiertos para atender una sesión (ulimit -n)")
        case .detailNoThread: ("no thread could be started for this session",
            "no se pudo iniciar un hilo para esta sesión")
        case .detailThreadLimit: ("no thread can be started: the limit of processes and threads is reached (ulimit -u)",
            "no se puede iniciar ningún hilo: se alcanzó el límite de procesos e hilos (ulimit -u)")
        case .detailNoCertificate: ("the peer presented no certificate",
            "el par no presentó ningún certificado")
        case .detailCertificateNotEd25519: ("the peer's certificate does not hold an Ed25519 key",
            "el certificado del par no lleva una llave Ed25519")
        case .detailCertificateUnreadable: ("unreadable peer key",
            "no se puede leer la llave del par")
        case .detailCertificateNotStrict: ("the peer's certificate key fails the strict Ed25519 checks",
            "la llave del certificado del par no pasa las verificaciones estrictas de Ed25519")
        case .detailMessageLength: ("message must be 1 to {0} bytes",
            "el mensaje debe tener de 1 a {0} bytes")
        case .detailTooManyOps: ("more than {0} ops in one changeset",
            "más de {0} operaciones en un cambio")
        case .detailTooManyOpsOrDeps: ("more than {0} ops or {1} deps in one changeset",
            "más de {0} operaciones o {1} dependencias en un cambio")
        case .detailChangesetTooLarge: ("changeset of {0} bytes is over the {1}-byte limit",
            "un cambio de {0} bytes pasa el límite de {1} bytes")
        case .detailSigningFailed: ("signing failed",
            "la firma falló")
        case .detailNotApplied: ("local changeset not applied: {0}",
            "el cambio local no se aplicó: {0}")
        case .detailInBatch: ("changeset {0} of the batch: {1}",
            "cambio {0} del lote: {1}")
        case .detailKeyMissing: ("missing or unreadable",
            "falta o no se puede leer")
        case .detailKeyNotHex: ("not 64 hex digits",
            "no son 64 dígitos hexadecimales")
        case .detailKeyCannotCreate: ("cannot create",
            "no se puede crear")
        case .detailKeyCannotWrite: ("cannot write",
            "no se puede escribir")
        case .detailKeyCannotRename: ("cannot rename",
            "no se puede renombrar")
        case .detailKeySealingFailed: ("sealing failed",
            "el sellado falló")
        case .detailRowMismatch: ("index columns differ from the envelope",
            "las columnas del índice no coinciden con el sobre")
        case .detailChainBreak: ("seq {0} does not follow the feed's head",
            "el seq {0} no sigue a la cabeza de su cadena")
        case .detailDepMissing: ("dep {0} is not held",
            "la dependencia {0} no está en el almacén")
        case .detailNotCounted: ("applied, but does not count: {0}",
            "aplicado, pero no cuenta: {0}")
        case .detailPastFork: ("applied past the fork of its feed at seq {0}",
            "aplicado después de la bifurcación de su cadena en el seq {0}")
        case .detailEmptyFile: ("the file is empty", "el archivo está vacío")
        case .detailHandshake: ("TLS handshake: {0}",
            "negociación TLS: {0}")
        case .detailStreamEndedInFrame: ("the stream ended inside a frame",
            "los datos terminan a mitad de un marco")
        case .detailPeerClosedEarly: ("the peer closed the connection before the session ended",
            "el par cerró la conexión antes de terminar la sesión")
        case .detailNotTLS: ("the program at the far end of the pipe ended, or answered with something other than TLS; its own messages, if any, are above. {0}",
            "el programa del otro extremo de la tubería terminó o respondió con algo que no es TLS; sus propios mensajes, si los hay, están arriba. {0}")
        case .detailServerNotTLS: ("what answers at this address does not speak TLS: check that it is a Tejido server (tejido serve --listen) and that the port is right",
            "lo que responde en esta dirección no habla TLS: revisa que sea un servidor de Tejido (tejido serve --listen) y que el puerto sea el correcto")
        case .detailServerNotTejido: ("what answers at this address speaks TLS but is not a Tejido server ({0}): check the address and the port",
            "lo que responde en esta dirección habla TLS pero no es un servidor de Tejido ({0}): revisa la dirección y el puerto")
        case .detailStreamNotTLS: ("the far end answered with something other than TLS",
            "el otro extremo respondió con algo que no es TLS")
        case .detailProgramNotFound: ("cannot find the program {0}",
            "no se encuentra el programa {0}")
        case .detailHandshakeTimedOut: ("the TLS handshake took longer than {0} s",
            "la negociación TLS tardó más de {0} s")
        case .detailEmptyFrame: ("empty frame",
            "marco vacío")
        case .detailFrameTooLarge: ("a frame of {0} bytes (the limit is {1})",
            "un marco de {0} bytes (el límite es {1})")
        case .detailEmptyMessage: ("empty message",
            "mensaje vacío")
        case .detailElementCount: ("message {0} has {1} elements, expected {2}",
            "el mensaje {0} tiene {1} elementos; se esperaban {2}")
        case .detailMalformedEntry: ("{0} entry",
            "entrada «{0}» mal formada")
        case .detailSeqTooLarge: ("a seq over 2^63-1",
            "un seq mayor que 2^63-1")
        case .detailFinalNotBoolean: ("final is not a boolean",
            "final no es un booleano")
        case .detailEmptyBatch: ("empty batch",
            "lote vacío")
        case .detailCountOverBatch: ("{0} {1} is more than a batch holds",
            "«{0}» {1} es más de lo que cabe en un lote")
        case .detailUnknownMessageType: ("message type {0}",
            "tipo de mensaje {0}")
        case .detailHelloKeyMismatch: ("the hello names a key other than the certificate's",
            "el saludo nombra una llave distinta de la del certificado")
        case .detailClientIsThisNode: ("the client holds this store's own node key",
            "el cliente tiene la llave de nodo de este mismo almacén")
        case .detailPeerIsThisNode: ("the peer holds this store's own node key",
            "el par tiene la llave de nodo de este mismo almacén")
        case .detailSessionAlreadyStarted: ("session already started",
            "la sesión ya había empezado")
        case .detailMessageNotExpected: ("message type {0} is not expected here",
            "aquí no se esperaba un mensaje de tipo {0}")
        case .detailVersionMismatch: ("the peer speaks protocol version {0}; this side speaks {1}",
            "el par habla la versión {0} del protocolo; este lado habla la {1}")
        case .detailAnotherNetwork: ("the peer's store belongs to another network",
            "el almacén del par es de otra red")
        case .detailHeadsNotAsked: ("heads for a namespace whose digests agree, or sent twice",
            "cabezas de un espacio cuyos resúmenes coinciden, o enviadas dos veces")
        case .detailTooManyHeads: ("more than {0} heads in one session",
            "más de {0} cabezas en una sesión")
        case .detailAckWithoutBatch: ("an ack with no batch in flight",
            "un acuse sin ningún lote en camino")
        case .detailAckCountMismatch: ("an ack for {0} changesets; the batch held {1}",
            "un acuse de {0} cambios; el lote tenía {1}")
        case .detailChangesetsWhilePeerMayNotSend: ("changesets while the peer may not send",
            "cambios cuando el par no puede enviar")
        case .detailChangesetsAgainstDirection: ("changesets in a direction this session does not carry",
            "cambios en una dirección que esta sesión no lleva")
        case .detailChangesetOfAnotherNetwork: ("a changeset of another network",
            "un cambio de otra red")
        case .detailDoneWhilePeerMayNotSend: ("done while the peer may not send",
            "fin de envío cuando el par no puede enviar")
        case .detailKeyNotKnown: ("this server does not know the key {0} (policy: {1})",
            "este servidor no conoce la llave {0} (política: {1})")
        case .detailTimedOut: ("no data from the peer for {0} s",
            "sin datos del par durante {0} s")
        case .detailStreamClosed: ("the stream is closed",
            "la conexión está cerrada")
        case .detailTLS: ("TLS: {0}",
            "TLS: {0}")
        case .detailStepFailed: ("{0}: {1}",
            "{0}: {1}")
        case .detailOpen: ("cannot open {0}",
            "no se puede abrir {0}")
        case .detailCreate: ("cannot create {0}",
            "no se puede crear {0}")
        case .detailLookAt: ("cannot look at {0}",
            "no se puede examinar {0}")
        case .detailSymlinkToNothing: ("{0} is a symbolic link to nothing that can be written",
            "{0} es un enlace simbólico a nada donde se pueda escribir")
        case .detailNotARegularFile: ("{0} exists and is not a regular file (a device, pipe or directory is never replaced); give another path",
            "{0} existe y no es un archivo normal (nunca se reemplaza un dispositivo, una tubería ni una carpeta); da otra ruta")
        case .detailRemoveStale: ("cannot remove the stale {0}",
            "no se puede quitar el {0} que quedó de un intento anterior")
        case .detailMove: ("cannot move {0} to {1}",
            "no se puede mover {0} a {1}")
        case .detailStart: ("cannot start {0}",
            "no se puede iniciar {0}")
        case .detailResolve: ("cannot resolve {0}: {1}",
            "no se puede resolver {0}: {1}")
        case .detailConnect: ("cannot connect to {0}",
            "no se puede conectar con {0}")
        case .detailListenOn: ("cannot listen on {0}",
            "no se puede atender en {0}")
        case .detailTooManyNamespaces: ("a bundle names at most {0} namespaces, not {1}: write several (--namespace)",
            "un paquete nombra como mucho {0} espacios, no {1}: escribe varios (--namespace)")
        case .detailReceiptTooLarge: ("a receipt of {0} bytes is over the frame limit; write one per namespace (--namespace)",
            "un recibo de {0} bytes pasa el límite de un marco; escribe uno por espacio (--namespace)")
        case .detailFormatTruncated: ("input ends inside an item",
            "los datos terminan a mitad de un elemento")
        case .detailFormatTrailingBytes: ("bytes after the end of the item",
            "bytes después del final del elemento")
        case .detailFormatNonShortest: ("an integer, length or float not in its shortest form",
            "un entero, una longitud o un flotante que no está en su forma más corta")
        case .detailFormatIndefinite: ("indefinite-length item",
            "elemento de longitud indefinida")
        case .detailFormatUnsortedKeys: ("map keys out of order or repeated",
            "claves de mapa desordenadas o repetidas")
        case .detailFormatUnknownKey: ("unknown body key {0}",
            "clave de cuerpo desconocida: {0}")
        case .detailFormatMissingKey: ("missing body key {0}",
            "falta la clave de cuerpo {0}")
        case .detailFormatWrongType: ("wrong type for {0}",
            "tipo incorrecto para el campo «{0}» del formato")
        case .detailFormatTooLarge: ("{0} over its size limit",
            "el campo «{0}» del formato pasa su límite de tamaño")
        case .detailFormatInvalidUTF8: ("text that is not valid UTF-8",
            "texto que no es UTF-8 válido")
        case .detailFormatNaN: ("NaN float",
            "flotante NaN")
        case .detailFormatIntegerRange: ("integer outside the 64-bit signed range",
            "entero fuera del rango con signo de 64 bits")
        case .detailFormatBadValue: ("invalid {0}",
            "el campo «{0}» del formato no es válido")
        case .detailFormatVersion: ("format version {0} is not supported",
            "la versión de formato {0} no está soportada")
        case .detailFormatSimpleValue: ("simple value other than false, true or null",
            "valor simple distinto de false, true o null")
        case .detailFormatReservedInfo: ("an item head with the reserved additional information {0}",
            "la cabecera de un elemento con la información adicional reservada {0}")
        case .detailJSONAt: ("{0} at byte {1}",
            "{0} en el byte {1}")
        case .detailJSONTrailing: ("trailing characters",
            "caracteres de más al final")
        case .detailJSONTooDeep: ("nesting too deep",
            "anidamiento demasiado profundo")
        case .detailJSONEnd: ("unexpected end",
            "final inesperado")
        case .detailJSONCharacter: ("unexpected character",
            "carácter inesperado")
        case .detailJSONLiteral: ("invalid literal (expected {0})",
            "literal no válido (se esperaba {0})")
        case .detailJSONCommaBracket: ("expected , or ]",
            "se esperaba , o ]")
        case .detailJSONKey: ("expected a key",
            "se esperaba una clave")
        case .detailJSONColon: ("expected :",
            "se esperaba :")
        case .detailJSONCommaBrace: ("expected , or }",
            "se esperaba , o }")
        case .detailJSONNumber: ("invalid number",
            "número no válido")
        case .detailJSONIntegerRange: ("an integer beyond the 64-bit range, which would lose digits as a float",
            "un entero fuera del rango de 64 bits, que como número decimal perdería cifras")
        case .detailJSONNumberRange: ("number out of range",
            "número fuera de rango")
        case .detailJSONUTF8: ("invalid UTF-8",
            "UTF-8 no válido")
        case .detailJSONControl: ("control character in string",
            "carácter de control dentro de un texto entre comillas")
        case .detailJSONUnterminated: ("unterminated string",
            "texto entre comillas sin cerrar")
        case .detailJSONEscape: ("invalid escape",
            "secuencia de escape no válida")
        case .detailJSONShortEscape: ("short \\u escape",
            "escape \\u incompleto")
        case .detailJSONBadEscape: ("invalid \\u escape",
            "escape \\u no válido")
        case .detailJSONLoneSurrogate: ("lone surrogate",
            "sustituto (surrogate) suelto")
        case .detailJSONSurrogatePair: ("bad surrogate pair",
            "par de sustitutos (surrogates) no válido")
        case .detailNotABundle: ("not a Tejido bundle (wrong magic bytes)",
            "no es un paquete de Tejido (los bytes mágicos no corresponden)")
        case .detailTruncated: ("the file ends before its trailer (truncated)",
            "el archivo termina antes de su cierre (está cortado)")
        case .detailBytesAfterTrailer: ("bytes after the trailer",
            "bytes después del cierre")
        case .detailHeaderInReceipt: ("a header inside a receipt",
            "un encabezado dentro de un recibo")
        case .detailSecondHeader: ("a second header",
            "un segundo encabezado")
        case .detailSecondReceipt: ("a second receipt",
            "un segundo recibo")
        case .detailReceiptInBundle: ("a receipt inside a bundle",
            "un recibo dentro de un paquete")
        case .detailChangesetFrameNotOne: ("a changeset frame must hold exactly one envelope",
            "un marco de cambio debe llevar exactamente un sobre")
        case .detailChangesetBeforeHeader: ("a changeset before the header",
            "un cambio antes del encabezado")
        case .detailMalformedTrailer: ("malformed trailer",
            "cierre mal formado")
        case .detailTrailerMismatch: ("the trailer's count or digest does not match",
            "la cuenta o el resumen del cierre no coinciden")
        case .detailNoHeader: ("no header",
            "sin encabezado")
        case .detailUnknownFrameType: ("unknown frame type {0}",
            "tipo de marco desconocido: {0}")
        case .detailMalformedFrame: ("malformed frame: {0}",
            "marco mal formado: {0}")
        case .detailBadSignatureOf: ("signature does not verify (id {0})",
            "la firma no es válida (id {0})")
        case .errSyncFailedPlain: ("Sync with {0} failed: {1}.", "La sincronización con {0} falló: {1}.")
        case .errSyncNotAStore: ("{0} holds no Tejido store. Check the path; to make a store of this network there: `tejido init --join {1} --store {2}`.",
                                 "En {0} no hay un almacén de Tejido. Revisa la ruta; para crear ahí un almacén de esta red: `tejido init --join {1} --store {2}`.")
        case .errImportUnknownNamespace: ("Import line {0}: this store has no namespace named \"{1}\". Create it with `tejido namespace create {1}`, or put every line into one namespace with --namespace NAME. Nothing was imported.",
                                          "Línea {0} de la importación: este almacén no tiene un espacio llamado \"{1}\". Créalo con `tejido namespace create {1}`, o pon todas las líneas en un espacio con --namespace NOMBRE. No se importó nada.")
        case .errCannotStartThread: ("The system would not start another thread (memory or process limits, see `ulimit -a`); nothing was done. Close other programs or raise the limits, and try again.",
                                     "El sistema no quiso iniciar otro hilo (límites de memoria o de procesos, ver `ulimit -a`); no se hizo nada. Cierra otros programas o sube los límites e intenta de nuevo.")
        case .errBundleSameNode: ("{0} was made by a store that holds this store's own node key (this store, or a copy of it), and it holds changesets of this node's feed that differ from this store's own at the same place: applying them would fork this node's feed. A copy must not be used to write. Nothing was applied.",
                                  "{0} lo hizo un almacén que tiene la llave de nodo de este almacén (este mismo, o una copia de él), y trae cambios de la cadena de este nodo distintos de los que este almacén tiene en el mismo lugar: aplicarlos bifurcaría la cadena de este nodo. Una copia no debe usarse para escribir. No se aplicó nada.")
        case .errReadOnlyFilesystem: ("{0} is on a filesystem mounted read-only, and Tejido writes in the store's folder even to read (SQLite's log). Remount it read-write, or copy the store to a disk you can write.",
                                      "{0} está en un sistema de archivos montado de solo lectura, y Tejido escribe en la carpeta del almacén incluso para leer (el registro de SQLite). Móntalo con escritura, o copia el almacén a un disco donde puedas escribir.")
        case .statusNamespacesHeader: ("NAME\tID\tCHANGESETS\tRECORDS", "NOMBRE\tID\tCAMBIOS\tREGISTROS")
        case .statusPeersHeader: ("NAME\tURL\tLAST SYNC\tTO SEND\tTO RECEIVE", "NOMBRE\tURL\tÚLTIMA SINC.\tPOR ENVIAR\tPOR RECIBIR")
        case .detailPeerStoreFailed: ("the peer's store failed; over a pipe or ssh its own message is above, over TCP it is in the server's log",
                                      "falló el almacén del par; por una tubería o ssh su propio mensaje está arriba, por TCP está en el registro del servidor")
        case .errBadLang: ("--lang takes en or es, not \"{0}\".", "--lang acepta en o es, no \"{0}\".")
        case .errPutIntegerRange: ("\"{0}\": the number is beyond the 64-bit range and would lose digits as a float; to keep it as text, write {1}.",
            "\"{0}\": el número está fuera del rango de 64 bits y como decimal perdería cifras; para guardarlo como texto, escribe {1}.")
        case .errEmptyStore: ("--store was given an empty path; give the store's directory (an unset variable in a script, perhaps).",
            "--store recibió una ruta vacía; da la carpeta del almacén (¿una variable sin valor en un script?).")
        case .errUnknownCommand: ("Unknown command '{0}'. See `{1} --help` for the commands there are.",
            "Orden desconocida: '{0}'. Consulta `{1} --help` para ver las que hay.")
        case .errUsage: ("{0} See `{1} --help`.", "{0} Consulta `{1} --help`.")
        case .errUsageNegativeNumber: ("{0} A number that starts with - is read as an option: put -- before the arguments (`{2} ... -- {1}`), or for inc use --by {1}. See `{2} --help`.",
                                       "{0} Un número que empieza con - se lee como opción: pon -- antes de los argumentos (`{2} ... -- {1}`), o en inc usa --by {1}. Consulta `{2} --help`.")
        case .errUsageNegativeValue: ("{0} A value that starts with - is read as an option: join it to its option with =, as in `{1}={2}`. See `{3} --help`.",
            "{0} Un valor que empieza con - se lee como una opción: únelo a su opción con =, como en `{1}={2}`. Consulta `{3} --help`.")
        case .longArgument: ("{0}… ({1} characters)", "{0}… ({1} caracteres)")
        case .waitingFor: ("waiting for {0}", "espera el cambio {0}")
        case .errCannotCreateStore: ("Cannot create a store in {0}: {1}. Check that the path is a folder you can write to.",
                                     "No se puede crear un almacén en {0}: {1}. Revisa que la ruta sea una carpeta donde puedas escribir.")
        case .errBadNetworkName: ("\"{0}\" cannot name a network: give 1 to 256 characters, not only spaces, without control characters.",
                                  "\"{0}\" no sirve como nombre de red: usa de 1 a 256 caracteres, no solo espacios, sin caracteres de control.")
        case .errInternal: ("Unexpected error: {0}", "Error inesperado: {0}")
        case .errBadRole: ("\"{0}\" is not a role: use reader, writer or admin.", "\"{0}\" no es un rol: usa reader, writer o admin.")
        case .errPeerExists: ("There is already a peer named \"{0}\"; remove it first or pick another name.",
                              "Ya hay un par llamado \"{0}\"; quítalo primero o elige otro nombre.")
        case .errSyncFailed: ("Sync with {0} failed: {1} ({2}).", "La sincronización con {0} falló: {1} ({2}).")
        case .errBadURLDash: ("\"{0}\": an ssh host or user name that starts with \"-\" is refused (ssh would take it for an option). Use the host's real name or address.",
                              "\"{0}\": se rechaza un host o usuario de ssh que empieza con \"-\" (ssh lo tomaría por una opción). Usa el nombre o la dirección real del host.")
        case .errBadURL: ("\"{0}\" is not a peer name or URL: use ssh://[user@]host[:port]/path, tcp://host:port (a port from 1 to 65535) or a store directory.",
                          "\"{0}\" no es un nombre de par ni una URL: usa ssh://[usuario@]host[:puerto]/ruta, tcp://host:puerto (un puerto de 1 a 65535) o la carpeta de un almacén.")
        case .errTCPNeedsKey: ("A tcp peer needs its key pinned: add --key KEY (ask the peer's owner for `tejido key show`).",
                               "Un par tcp necesita su llave fijada: agrega --key LLAVE (pide a quien lo administra `tejido key show`).")
        case .errPeerKeyNotPinned: ("{0} presented the key {1} (fingerprint {2}), and no key is pinned for it. Check the fingerprint with the peer's owner, then sync again with --key {1} (or tejido peer add NAME {0} --key {1}). Nothing was sent.",
                                    "{0} presentó la llave {1} (huella {2}) y no hay llave fijada para él. Confirma la huella con quien lo administra y vuelve a sincronizar con --key {1} (o tejido peer add NOMBRE {0} --key {1}). No se envió nada.")
        case .errWrongPeerKey: ("{0} presented the key {1} (fingerprint {2}), not the one pinned for peer {3}. Nothing was sent. If its owner changed the key on purpose (check the fingerprint with them), pin the new one: `tejido peer remove {3}`, then `tejido peer add {3} {0} --key {1}`.",
                                "{0} presentó la llave {1} (huella {2}), no la que está fijada para el par {3}. No se envió nada. Si quien lo administra cambió la llave a propósito (confirma la huella con esa persona), fija la nueva: `tejido peer remove {3}` y luego `tejido peer add {3} {0} --key {1}`.")
        case .errWrongPeerKeyGiven: ("{0} presented the key {1} (fingerprint {2}), not the one given with --key. Nothing was sent. If that is its key (check the fingerprint with its owner), sync again with --key {1}.",
                                     "{0} presentó la llave {1} (huella {2}), no la que se dio con --key. No se envió nada. Si esa es su llave (confirma la huella con quien lo administra), vuelve a sincronizar con --key {1}.")
        case .errSyncSelf: ("{0} is this store itself (or a copy holding its node key); there is nothing to sync.",
                            "{0} es este mismo almacén (o una copia con su llave de nodo); no hay nada que sincronizar.")
        case .errServe: ("Cannot serve: {0}", "No se pudo iniciar el servidor: {0}")
        case .errBadListen: ("\"{0}\" is not HOST:PORT.", "\"{0}\" no tiene la forma HOST:PUERTO.")
        case .errBadPolicy: ("\"{0}\" is not a policy: use known, peers or any.", "\"{0}\" no es una política: usa known, peers o any.")
        case .errBothOnly: ("--pull-only and --push-only exclude each other: give one.", "No se pueden usar --pull-only y --push-only juntas: elige una.")
        case .errBundle: ("{0} is not a readable Tejido bundle: {1}. Nothing was applied.", "{0} no es un paquete de Tejido legible: {1}. No se aplicó nada.")
        case .errBundleWrongNetwork: ("{0} belongs to another network, or its header is damaged; nothing was applied.",
            "{0} pertenece a otra red, o su encabezado está dañado; no se aplicó nada.")
        case .errUnknownPeer: ("No peer is named \"{0}\" (see tejido peer list).", "Ningún par se llama \"{0}\" (consulta `tejido peer list`).")
        }
    }

    /// The error for a text `PeerAddress` refuses: an ssh URL in the right form whose host or
    /// user starts with "-" is refused for that reason, and said so.
    static func badURL(_ text: String) -> Msg {
        guard text.hasPrefix("ssh://"), let slash = text.dropFirst(6).firstIndex(of: "/") else { return .errBadURL }
        let authority = text.dropFirst(6)[..<slash]
        let parts = authority.split(separator: "@", omittingEmptySubsequences: false)
        return parts.contains { $0.hasPrefix("-") } ? .errBadURLDash : .errBadURL
    }

    /// The Spanish name of the value an option or argument takes, shown in usage lines and
    /// help (`--store <almacén>`); nil for a flag. In English the parser names the value after
    /// the option (`--store <store>`).
    var spanishValueName: String? {
        switch self {
        case .optStore: "almacén"
        case .optLang: "idioma"
        case .argRecordPath, .argCollectionPath: "ruta"
        case .optMessage: "mensaje"
        case .argSQL: "sql"
        case .optQueryTimeout, .optSyncTimeout, .optServeTimeout: "segundos"
        case .argSetField, .argCounterField: "campo"
        case .argElement: "valor"
        case .argAssignments: "asignaciones"
        case .argNamespace, .optBundleNamespace, .optImportNamespace: "espacio"
        case .argRevokeKey, .argGrantKey, .optSyncKey, .optPeerKey: "llave"
        case .optRevokeAfter: "seq"
        case .argNamespaceName, .argPeerName, .argExistingPeer: "nombre"
        case .optAdmins: "llaves"
        case .argPetname: "apodo"
        case .argRootFile, .argRootImportFile, .optPassphraseFile, .argBundleOut, .argBundleIn, .optReceipt, .argBundleFile, .argImportFile:
            "archivo"
        case .optNetwork: "nombre-de-red"
        case .optJoin: "id-de-red"
        case .argSyncTargets: "destinos"
        case .optRemoteCommand: "comando"
        case .optSSH: "programa"
        case .argPeerURL: "url"
        case .optShare: "espacios"
        case .optRole: "rol"
        case .optBundleFor: "par"
        case .optReplica: "réplica"
        case .optAfterLine: "línea"
        case .optBatch, .optLimit, .optMaxSessions: "n"
        case .argDelta, .optBy: "delta"
        case .optListen: "host:puerto"
        case .optAllow: "política"
        default: nil
        }
    }

    /// An error, or the reason or detail of one (by the case's name).
    var isFailure: Bool {
        rawValue.hasPrefix("err") || rawValue.hasPrefix("reason") || rawValue.hasPrefix("detail") || self == .serveSessionFailed
    }

    /// A stable machine-readable code for `--json` errors: the case name without its `err`
    /// prefix, in snake case (`errUnknownNamespace` -> `unknown_namespace`).
    var errorCode: String {
        // One failure, one code, whichever wording shows it.
        if self == .errSyncFailedPlain { return Msg.errSyncFailed.errorCode }
        if self == .errBadCollectionPath { return Msg.errBadPath.errorCode }
        if self == .errBundle { return Msg.errBundleUnreadable.errorCode }
        if self == .errBadURLDash { return Msg.errBadURL.errorCode }
        if self == .errUsageNegativeNumber || self == .errUsageNegativeValue || self == .errUnknownCommand { return Msg.errUsage.errorCode }
        if self == .errStoreBusyImport { return Msg.errStoreBusy.errorCode }
        if self == .errDiskFullImportNothing { return Msg.errDiskFullImport.errorCode }
        if self == .errBundleSameNodeNotAFile { return Msg.errBundleSameNode.errorCode }
        if self == .errWrongPeerKeyGiven { return Msg.errWrongPeerKey.errorCode }
        return Self.snakeCase(rawValue.hasPrefix("err") ? String(rawValue.dropFirst(3)) : rawValue)
    }

    /// `NotAStore` -> `not_a_store`, `InvalidRecordID` -> `invalid_record_id`, `TCPNeedsKey` ->
    /// `tcp_needs_key`: a word starts at a capital after a small letter, and at the last capital
    /// of a run that a small letter follows.
    static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if i > 0 && c.isUppercase {
                let afterLower = chars[i - 1].isLowercase || chars[i - 1].isNumber
                let endsRun = chars[i - 1].isUppercase && i + 1 < chars.count && chars[i + 1].isLowercase
                if afterLower || endsRun { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }
}

/// What the system and SQLite say when something fails ("No such file or directory"), in
/// Spanish: their texts come into messages as details, in English whatever the locale. Matched
/// against the C library's own wording at run time, so the table cannot drift from it.
enum SystemText {
    static func spanish(_ text: String) -> String {
        guard text.contains(where: { $0 == " " }) else { return text }
        var out = text
        for (en, es) in table where out.contains(en) { out = out.replacingOccurrences(of: en, with: es) }
        return out
    }

    private static let errnoTexts: [(Int32, String)] = [
        (ENOENT, "No existe el archivo o el directorio"), (EACCES, "Permiso denegado"),
        (EPERM, "Operación no permitida"), (EISDIR, "Es un directorio"), (ENOTDIR, "No es un directorio"),
        (ENOSPC, "No queda espacio en el dispositivo"), (EDQUOT, "Se superó la cuota de disco"),
        (EROFS, "Sistema de archivos de solo lectura"), (EIO, "Error de entrada/salida"),
        (EEXIST, "El archivo ya existe"), (EMFILE, "Demasiados archivos abiertos"),
        (ENFILE, "Demasiados archivos abiertos en el sistema"), (EFBIG, "Archivo demasiado grande"),
        (ENAMETOOLONG, "Nombre de archivo demasiado largo"), (ELOOP, "Demasiados niveles de enlaces simbólicos"),
        (ECONNREFUSED, "Conexión rechazada"), (ECONNRESET, "El otro lado reinició la conexión"),
        (ETIMEDOUT, "Se agotó el tiempo de la conexión"), (EHOSTUNREACH, "No hay ruta hasta el equipo"),
        (ENETUNREACH, "No se puede llegar a la red"), (EPIPE, "Tubería rota"),
        (EADDRINUSE, "La dirección ya está en uso"), (EADDRNOTAVAIL, "No se puede asignar la dirección pedida"),
        (ENOMEM, "No se pudo asignar memoria"), (EAGAIN, "Recurso no disponible por ahora"),
        (EBUSY, "Dispositivo o recurso ocupado"), (ETXTBSY, "Archivo de texto ocupado"),
        (ENOEXEC, "Formato de ejecutable inválido"), (EBADF, "Descriptor de archivo incorrecto"),
        (E2BIG, "La lista de argumentos es demasiado larga"),
    ]

    private static let resolverTexts: [(Int32, String)] = [
        (EAI_NONAME, "Nombre o servicio desconocido"), (EAI_AGAIN, "Fallo temporal al resolver el nombre"),
        (EAI_FAIL, "Fallo irrecuperable al resolver el nombre"),
    ]

    /// SQLite's result texts (`sqlite3_errstr`) and the start of its common error messages, stable across its versions.
    private static let sqliteTexts: [(String, String)] = [
        ("database disk image is malformed", "la imagen de la base de datos está dañada"),
        ("disk I/O error", "error de entrada/salida del disco"),
        ("database is locked", "la base de datos está bloqueada"),
        ("attempt to write a readonly database", "intento de escribir en una base de datos de solo lectura"),
        ("unable to open database file", "no se puede abrir el archivo de la base de datos"),
        ("file is not a database", "el archivo no es una base de datos"),
        ("database or disk is full", "la base de datos o el disco están llenos"),
        ("out of memory", "sin memoria"),
        // What a query is refused for, by SQLite or by the wrapper.
        ("only one statement is allowed", "solo se permite una sentencia"),
        ("no SQL statement in the text", "el texto no tiene ninguna sentencia SQL"),
        ("no such column", "no existe la columna"), ("no such table", "no existe la tabla"),
        ("no such function", "no existe la función"), ("ambiguous column name", "nombre de columna ambiguo"),
        (": syntax error", ": error de sintaxis"), ("incomplete input", "entrada incompleta"),
        ("near \"", "cerca de \""), ("string or blob too big", "texto o blob demasiado grande"),
        ("malformed JSON", "JSON mal formado"), ("integer overflow", "desbordamiento de entero"),
        ("wrong number of arguments to function ", "número incorrecto de argumentos para la función "),
        ("unrecognized token", "símbolo no reconocido"), ("misuse of aggregate", "uso indebido del agregado"),
        ("SELECTs to the left and right of UNION do not have the same number of result columns",
         "los SELECT a cada lado de UNION no dan el mismo número de columnas"),
        ("JSON path error near", "error en la ruta JSON cerca de"), ("not authorized", "no autorizado"),
        // OpenSSL's reasons for the handshakes a user meets: something other than TLS at the far end.
        ("wrong version number", "número de versión incorrecto (el otro lado no habla TLS)"),
        ("http request", "petición HTTP en lugar de TLS"), ("unexpected eof while reading", "fin inesperado al leer"),
        // The step a TLS failure names, before the system's or OpenSSL's reason.
        ("TLS handshake", "negociación TLS"), ("handshake: ", "negociación: "),
        // The store's own findings of damage (`corruptStore`), beside SQLite's.
        ("no network id", "no tiene id de red"),
        ("this node's feed is at the largest seq", "el registro de este nodo llegó al mayor número de secuencia"),
    ]

    /// Longest first, so that a text holding a shorter one is put into Spanish whole.
    private static let table: [(String, String)] = {
        let system = errnoTexts.map { (String(cString: strerror($0.0)), $0.1) }
            + resolverTexts.map { (String(cString: gai_strerror($0.0)), $0.1) }
        return (system + sqliteTexts).filter { !$0.0.isEmpty && !$0.0.hasPrefix("Unknown error") }
            .sorted { $0.0.count > $1.0.count }
    }()
}
