import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync

/// The catalog's wording of the typed details that the layers below the command line report
/// (a cut link, a damaged bundle, a malformed value), so that a detail shown inside a Spanish
/// message is Spanish too. The English of each is also the `description` of its type, which
/// logs and `--json` keep.
enum DetailText {
    static func text(_ e: JSONValue.ParseError, _ c: Console) -> String {
        c.t(.detailJSONAt, [text(e.reason, c), String(e.offset)])
    }

    static func text(_ p: SyncProblem, _ c: Console) -> String {
        switch p {
        case .streamEndedInFrame: c.t(.detailStreamEndedInFrame)
        case .peerClosedEarly: c.t(.detailPeerClosedEarly)
        case .link(let e): text(e, c)
        // A far end that spoke something else is what the message already says: no repeat.
        case .notTLS(.notTLS): c.t(.detailNotTLS, [""]).trimmingCharacters(in: .whitespaces)
        case .notTLS(let e): c.t(.detailNotTLS, [text(e, c)])
        case .serverNotTLS: c.t(.detailServerNotTLS)
        case .serverNotTejido(let e): c.t(.detailServerNotTejido, [text(e, c)])
        case .programNotFound(let name): c.t(.detailProgramNotFound, [name])
        case .handshakeTimedOut(let s): c.t(.detailHandshakeTimedOut, [SyncProblem.seconds(s)])
        case .handshake(.tls(let d)): d
        case .handshake(.certificate(let p)): c.t(.detailHandshake, [text(p, c)])
        case .handshake(let e): c.t(.detailHandshake, [text(e, c)])
        case .refused(let d): text(d, c)
        case .tooManyOpenFiles: c.t(.detailTooManyOpenFiles)
        case .noThread: c.t(.detailNoThread)
        case .emptyFrame: c.t(.detailEmptyFrame)
        case .frameTooLarge(let n, let limit): c.t(.detailFrameTooLarge, [String(n), String(limit)])
        case .emptyMessage: c.t(.detailEmptyMessage)
        case .elementCount(let type, let count, let expected): c.t(.detailElementCount, [String(type), String(count), String(expected)])
        case .malformedEntry(let what): c.t(.detailMalformedEntry, [what])
        case .seqTooLarge: c.t(.detailSeqTooLarge)
        case .finalNotBoolean: c.t(.detailFinalNotBoolean)
        case .emptyBatch: c.t(.detailEmptyBatch)
        case .countOverBatch(let what, let n): c.t(.detailCountOverBatch, [what, String(n)])
        case .unknownMessageType(let t): c.t(.detailUnknownMessageType, [String(t)])
        case .format(let e): text(e, c)
        case .helloKeyMismatch: c.t(.detailHelloKeyMismatch)
        case .clientIsThisNode: c.t(.detailClientIsThisNode)
        case .peerIsThisNode: c.t(.detailPeerIsThisNode)
        case .sessionAlreadyStarted: c.t(.detailSessionAlreadyStarted)
        case .messageNotExpected(let t): c.t(.detailMessageNotExpected, [String(t)])
        case .versionMismatch(let peer, let ours): c.t(.detailVersionMismatch, [String(peer), String(ours)])
        case .anotherNetwork: c.t(.detailAnotherNetwork)
        case .headsNotAsked: c.t(.detailHeadsNotAsked)
        case .tooManyHeads(let limit): c.t(.detailTooManyHeads, [String(limit)])
        case .ackWithoutBatch: c.t(.detailAckWithoutBatch)
        case .ackCountMismatch(let acked, let held): c.t(.detailAckCountMismatch, [String(acked), String(held)])
        case .changesetsWhilePeerMayNotSend: c.t(.detailChangesetsWhilePeerMayNotSend)
        case .changesetsAgainstDirection: c.t(.detailChangesetsAgainstDirection)
        case .changesetOfAnotherNetwork: c.t(.detailChangesetOfAnotherNetwork)
        case .doneWhilePeerMayNotSend: c.t(.detailDoneWhilePeerMayNotSend)
        case .keyNotKnown(let key, let policy): c.t(.detailKeyNotKnown, [key, policy])
        // Only ever read from a client, by the server it turned away: said from the server's side.
        case .clientPinsNoKey: c.t(.serveClientPinsNoKey)
        case .clientPinsAnotherKey: c.t(.serveClientPinsOtherKey)
        }
    }

    static func text(_ e: StreamError, _ c: Console) -> String {
        switch e {
        case .timedOut(let s): c.t(.detailTimedOut, [SyncProblem.seconds(s)])
        case .closed: c.t(.detailStreamClosed)
        case .tls(let text): c.t(.detailTLS, [text])
        case .notTLS: c.t(.detailStreamNotTLS)
        case .certificate(let p): c.t(.detailTLS, [text(p, c)])
        case .io(let step, 0): text(step, c)
        case .io(let step, let code): c.t(.detailStepFailed, [text(step, c), String(cString: strerror(code))])
        }
    }

    static func text(_ p: TLSConnection.PeerCertificateProblem, _ c: Console) -> String {
        switch p {
        case .none: c.t(.detailNoCertificate)
        case .notEd25519: c.t(.detailCertificateNotEd25519)
        case .unreadableKey: c.t(.detailCertificateUnreadable)
        case .failsStrictChecks: c.t(.detailCertificateNotStrict)
        }
    }

    static func text(_ s: StreamError.Step, _ c: Console) -> String {
        switch s {
        case .open(let p): c.t(.detailOpen, [p])
        case .create(let p): c.t(.detailCreate, [p])
        case .lookAt(let p): c.t(.detailLookAt, [p])
        case .symlinkToNothing(let p): c.t(.detailSymlinkToNothing, [p])
        case .notARegularFile(let p): c.t(.detailNotARegularFile, [p])
        case .removeStale(let p): c.t(.detailRemoveStale, [p])
        case .move(let from, let to): c.t(.detailMove, [from, to])
        case .start(let p): c.t(.detailStart, [p])
        case .resolve(let host, let reason): c.t(.detailResolve, [host, reason])
        case .connect(let a): c.t(.detailConnect, [a])
        case .listenOn(let a): c.t(.detailListenOn, [a])
        case .tooManyNamespaces(let limit, let count): c.t(.detailTooManyNamespaces, [String(limit), String(count)])
        case .receiptTooLarge(let n): c.t(.detailReceiptTooLarge, [String(n)])
        // The name of a system call is the same in every language.
        case .call(let name): name
        }
    }

    static func text(_ e: FormatError, _ c: Console) -> String {
        switch e {
        case .truncated: c.t(.detailFormatTruncated)
        case .trailingBytes: c.t(.detailFormatTrailingBytes)
        case .nonShortestEncoding: c.t(.detailFormatNonShortest)
        case .indefiniteLength: c.t(.detailFormatIndefinite)
        case .unsortedOrDuplicateKey: c.t(.detailFormatUnsortedKeys)
        case .unknownKey(let k): c.t(.detailFormatUnknownKey, [String(k)])
        case .missingKey(let k): c.t(.detailFormatMissingKey, [String(k)])
        case .wrongType(let what): c.t(.detailFormatWrongType, [what])
        case .tooLarge(let what): c.t(.detailFormatTooLarge, [what])
        case .invalidUTF8: c.t(.detailFormatInvalidUTF8)
        case .nanFloat: c.t(.detailFormatNaN)
        case .integerOutOfRange: c.t(.detailFormatIntegerRange)
        case .badValue(let what): c.t(.detailFormatBadValue, [what])
        case .unsupportedVersion(let v): c.t(.detailFormatVersion, [String(v)])
        case .reservedSimpleValue: c.t(.detailFormatSimpleValue)
        case .reservedAdditionalInfo(let info): c.t(.detailFormatReservedInfo, [String(info)])
        }
    }

    static func text(_ r: JSONValue.ParseError.Reason, _ c: Console) -> String {
        switch r {
        case .trailingCharacters: c.t(.detailJSONTrailing)
        case .nestingTooDeep: c.t(.detailJSONTooDeep)
        case .unexpectedEnd: c.t(.detailJSONEnd)
        case .unexpectedCharacter: c.t(.detailJSONCharacter)
        case .invalidLiteral(let word): c.t(.detailJSONLiteral, [word])
        case .expectedCommaOrBracket: c.t(.detailJSONCommaBracket)
        case .expectedKey: c.t(.detailJSONKey)
        case .expectedColon: c.t(.detailJSONColon)
        case .expectedCommaOrBrace: c.t(.detailJSONCommaBrace)
        case .invalidNumber: c.t(.detailJSONNumber)
        case .numberOutOfRange: c.t(.detailJSONNumberRange)
        case .integerOutOfRange: c.t(.detailJSONIntegerRange)
        case .invalidUTF8: c.t(.detailJSONUTF8)
        case .controlCharacter: c.t(.detailJSONControl)
        case .unterminatedString: c.t(.detailJSONUnterminated)
        case .invalidEscape: c.t(.detailJSONEscape)
        case .shortUnicodeEscape: c.t(.detailJSONShortEscape)
        case .invalidUnicodeEscape: c.t(.detailJSONBadEscape)
        case .loneSurrogate: c.t(.detailJSONLoneSurrogate)
        case .badSurrogatePair: c.t(.detailJSONSurrogatePair)
        }
    }

    static func text(_ k: BundleReader.Damage.Kind, _ c: Console) -> String {
        switch k {
        case .notABundle: c.t(.detailNotABundle)
        case .empty: c.t(.detailEmptyFile)
        case .truncated: c.t(.detailTruncated)
        case .bytesAfterTrailer: c.t(.detailBytesAfterTrailer)
        case .headerInReceipt: c.t(.detailHeaderInReceipt)
        case .secondHeader: c.t(.detailSecondHeader)
        case .secondReceipt: c.t(.detailSecondReceipt)
        case .receiptInBundle: c.t(.detailReceiptInBundle)
        case .changesetFrameNotOne: c.t(.detailChangesetFrameNotOne)
        case .changesetBeforeHeader: c.t(.detailChangesetBeforeHeader)
        case .malformedTrailer: c.t(.detailMalformedTrailer)
        case .trailerMismatch: c.t(.detailTrailerMismatch)
        case .noHeader: c.t(.detailNoHeader)
        case .unknownFrameType(let t): c.t(.detailUnknownFrameType, [String(t)])
        case .frame(let p): text(p, c)
        case .malformed(let p): c.t(.detailMalformedFrame, [text(p, c)])
        case .other(let text): c.t(.detailMalformedFrame, [text])
        case .invalidChangeset(let reason): text(reason, c)
        }
    }

    static func text(_ f: VerifyReport.Finding, _ c: Console) -> String {
        switch f {
        case .format(let e): text(e, c)
        case .idMismatch: c.t(.detailBadID)
        case .rowMismatch: c.t(.detailRowMismatch)
        case .otherNetwork: c.t(.detailChangesetOfAnotherNetwork)
        case .badSignature: c.t(.detailBadSignature)
        case .chainBreak(let seq): c.t(.detailChainBreak, String(seq))
        case .depMissing(let dep): c.t(.detailDepMissing, dep)
        case .notCounted(let reason): c.t(.detailNotCounted, HeldRendering.localized(reason, console: c))
        case .pastFork(let seq): c.t(.detailPastFork, String(seq))
        // SQLite's own words; the common ones come out in Spanish through the system texts.
        case .database(let text): c.lang == .es ? SystemText.spanish(text) : text
        }
    }

    static func text(_ d: ChangesetDefect, _ c: Console) -> String {
        switch d {
        case .format(let e): text(e, c)
        case .badSignature: c.t(.detailBadSignature)
        case .inBatch(let i, let reason): c.t(.detailInBatch, String(i), text(reason, c))
        case .messageLength(let max): c.t(.detailMessageLength, String(max))
        case .tooManyOps(let max): c.t(.detailTooManyOps, String(max))
        case .tooManyOpsOrDeps(let ops, let deps): c.t(.detailTooManyOpsOrDeps, String(ops), String(deps))
        case .tooLarge(let bytes, let limit): c.t(.detailChangesetTooLarge, String(bytes), String(limit))
        case .signingFailed: c.t(.detailSigningFailed)
        case .notApplied(let outcome): c.t(.detailNotApplied, outcome)
        }
    }

    static func text(_ k: KeyFileProblem, _ c: Console) -> String {
        switch k {
        case .missingOrUnreadable: c.t(.detailKeyMissing)
        case .notHex: c.t(.detailKeyNotHex)
        case .cannotCreate: c.t(.detailKeyCannotCreate)
        case .cannotWrite: c.t(.detailKeyCannotWrite)
        case .cannotRename: c.t(.detailKeyCannotRename)
        case .sealingFailed: c.t(.detailKeySealingFailed)
        case .system(let text): text
        }
    }

    static func text(_ r: Store.InvalidEnvelope, _ c: Console) -> String {
        switch r {
        case .format(let e): text(e, c)
        case .otherNetwork: c.t(.detailChangesetOfAnotherNetwork)
        case .badSignature(let id): c.t(.detailBadSignatureOf, [id])
        }
    }
}
