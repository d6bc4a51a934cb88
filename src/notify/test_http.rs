//! A small HTTP/1.1 receiver for tests: keep-alive, Content-Length
//! bodies, a reply (status, delay, body) the test can change while it
//! runs, every request recorded, connections counted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
    pub body: Vec<u8>,
    pub extra: String,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            delay: Duration::ZERO,
            body: Vec::new(),
            extra: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
    pub reply: Arc<Mutex<Reply>>,
    pub connections: Arc<AtomicUsize>,
}

impl Receiver {
    pub fn start(reply: Reply) -> Receiver {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let r = Receiver {
            url,
            requests: Arc::default(),
            reply: Arc::new(Mutex::new(reply)),
            connections: Arc::default(),
        };
        let r2 = r.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                r2.connections.fetch_add(1, Ordering::SeqCst);
                let r3 = r2.clone();
                std::thread::spawn(move || r3.serve(s));
            }
        });
        r
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn serve(&self, s: TcpStream) {
        let mut w = s.try_clone().unwrap();
        let mut r = BufReader::new(s);
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let path = parts.next().unwrap_or("").to_string();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 {
                    return;
                }
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            self.requests.lock().unwrap().push(Request {
                method,
                path,
                headers,
                body,
            });
            let reply = self.reply.lock().unwrap().clone();
            std::thread::sleep(reply.delay);
            let head = format!(
                "HTTP/1.1 {} X\r\ncontent-length: {}\r\n{}\r\n",
                reply.status,
                reply.body.len(),
                reply.extra
            );
            if w.write_all(head.as_bytes()).is_err() || w.write_all(&reply.body).is_err() {
                return;
            }
        }
    }
}
