import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// SHA-256 over the merged data in a canonical order: equal on two stores exactly when they
    /// hold the same visible data for the same namespaces, whatever order changesets arrived in.
    public func stateDigest() throws -> [UInt8] {
        var w = CBORWriter(capacity: 1 << 16)
        var rows = try namespaceRows()
        rows.sort { $0.root.lexicographicallyPrecedes($1.root) }
        let names = try db.prepare("SELECT name FROM namespaces WHERE ns=?")
        for ns in rows {
            w.byteString(ns.root)
            names.bind(1, ns.ns)
            if try names.step(), !names.isNull(0) { w.text(names.text(0)) } else { w.null() }
            names.reset()
            let st = try db.prepare(
                """
                SELECT r.rec, r.collection, r.rid, r.deleted FROM records r WHERE r.ns=? AND \(visibleRecordSQL)
                ORDER BY r.collection, r.rid
                """)
            st.bind(1, ns.ns)
            while try st.step() {
                w.text(st.text(1))
                w.text(st.text(2))
                let fields = try currentFields(rec: st.int64(0), deleted: st.isNull(3) ? [] : st.blob(3))
                w.mapHeader(fields.count)
                for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                    w.text(name)
                    switch value {
                    case .value(let v): w.unsigned(0); w.raw(v.cborBytes)
                    case .counter(let c): w.unsigned(1); w.int(c)
                    case .set(let elems):
                        w.unsigned(2)
                        let encoded = elems.map(\.cborBytes).sorted { $0.lexicographicallyPrecedes($1) }
                        w.arrayHeader(encoded.count)
                        for e in encoded { w.raw(e) }
                    }
                }
            }
        }
        return SHA256.hash(w.bytes)
    }
}
