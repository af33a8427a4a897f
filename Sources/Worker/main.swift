WorkerProcess.run()
