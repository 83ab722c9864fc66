//! logreader: the HTTP read and export API over the SimCES simulation logs.
