"""The deployment checks of scripts/check-deploy.sh: one module per group of deploy files.

docker, compose, k8s, systemd and nginx each have a run(setup) that reports one PASS, FAIL or
SKIP line per item through report; setup holds the paths, the binaries and the servers.
"""
