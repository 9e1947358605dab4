extension L7Stage {
    /// Flows each parser pool turned away because every parser was lent (those flows are not
    /// parsed): TLS, DNS over TCP, HTTP/1, HTTP/2, datastore. For metrics; read off the
    /// packet path.
    public var parserPoolsExhausted: (tls: UInt64, dnsTCP: UInt64, http: UInt64, http2: UInt64, datastore: UInt64) {
        (parsers.exhausted(.tls), parsers.exhausted(.dnsTCP), parsers.exhausted(.http), parsers.exhausted(.http2),
         parsers.exhausted(.datastore))
    }
}
