//! What the tests share: a real `redis-server`, or a real Redis Cluster, of their own.

#![allow(dead_code)] // each test binary uses its own part of the support

pub mod redis_cluster;
pub mod redis_server;
