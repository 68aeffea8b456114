// A thread of the `aithreat` child process (bin/aithreat.js starts it): when the `aithreat` process
// that started the child dies, even by SIGKILL, the child is stopped too, so a killed run never leaves
// an orphan working on. The main thread cannot watch: the check, analysis and emitters are
// synchronous and block its event loop.
import { workerData } from "node:worker_threads";

const { parent } = workerData;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
}, 250);
