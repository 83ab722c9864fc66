//! logwriter: records one SimCES simulation run from its RabbitMQ topic exchange into MongoDB.
