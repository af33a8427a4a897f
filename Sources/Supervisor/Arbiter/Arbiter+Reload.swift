import Foundation
import RegistryRuntime
import SupervisorCore

/// HUP and `--reload`: new settings, new workers, no refused request.
extension Arbiter {
    /// Re-reads the settings (environment, `.env`, command line) and replaces every worker, each
    /// successor serving before its predecessor drains. Invalid settings keep the running ones.
    func reload() {
        logger.info("reload requested (HUP): re-reading settings and replacing workers")
        notifier.reloading()
        reloading = true
        let existing = slots.filter { !$0.machine.retiring }
        do {
            apply(try reloadSettings())
        } catch {
            logger.error("reload: settings are invalid; keeping the current ones", metadata: ["error": "\(error)"])
        }
        replacementQueue = existing.filter { !$0.machine.retiring }
    }

    private func apply(_ new: Settings) {
        var new = new
        if new.host != host || new.port != port {
            logger.warning("reload: HOST and PORT changes need a restart; keeping the bound address",
                           metadata: ["address": "\(host):\(port)"])
            new.host = host
            new.port = port
        }
        if new.supervisorPort != settings.supervisorPort || new.effectiveSupervisorHost != settings.effectiveSupervisorHost {
            logger.warning("reload: SUPERVISOR_HOST and SUPERVISOR_PORT changes need a restart")
        }
        settings = new
        spawner.overrides[SettingsLoader.prefix + "WORKERS"] = String(new.workers)
        var active = slots.filter { !$0.machine.retiring }.count
        while active < new.workers {
            addSlot()
            active += 1
        }
        while active > new.workers {
            retireLastSlot()
            active -= 1
        }
        logger.info("reload: settings applied", metadata: ["workers": "\(new.workers)"])
    }

    /// `--reload`: a changed worker binary replaces the workers like HUP, with the same settings.
    func checkBinary() {
        let now = monotonicNow()
        guard now - lastBinaryCheck >= 1 else { return }
        lastBinaryCheck = now
        let stamp = Self.modificationTime(spawner.executable)
        guard let stamp, let old = binaryStamp, stamp.tv_sec != old.tv_sec || stamp.tv_nsec != old.tv_nsec else { return }
        binaryStamp = stamp
        logger.info("worker binary changed: reloading workers")
        replacementQueue = slots.filter { !$0.machine.retiring }
    }
}
