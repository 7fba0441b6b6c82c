import { useEffect, useRef, useState } from "react";
import type { CheckinTone } from "../checkin/result";

/**
 * Continuous QR scanning from the camera, with the best decoder the browser
 * has: the native BarcodeDetector, else the barcode-detector ponyfill (ZXing
 * in WebAssembly, its .wasm served by this app), else jsQR on a canvas. The
 * decoders are loaded from /checkin/vendor/ only when the camera starts.
 */

type Decoder = { name: string; detect: (video: HTMLVideoElement) => Promise<string | null> };

type NativeDetector = {
  detect: (source: CanvasImageSource) => Promise<{ rawValue: string }[]>;
};
type DetectorClass = {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats?: () => Promise<string[]>;
};
type PonyfillApi = {
  BarcodeDetector: DetectorClass;
  prepareZXingModule: (options: {
    overrides: { locateFile: (path: string, prefix: string) => string };
    fireImmediately: boolean;
  }) => Promise<unknown>;
};
type JsQr = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts: "dontInvert" | "attemptBoth" },
) => { data: string } | null;

const VENDOR = "/checkin/vendor/";

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[data-src="${src}"]`)) return resolve();
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.dataset.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

async function nativeDecoder(): Promise<Decoder | null> {
  const Native = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!Native) return null;
  const formats = (await Native.getSupportedFormats?.()) ?? [];
  if (!formats.includes("qr_code")) return null;
  const detector = new Native({ formats: ["qr_code"] });
  return {
    name: "BarcodeDetector",
    detect: async (video) => (await detector.detect(video))[0]?.rawValue ?? null,
  };
}

async function zxingDecoder(): Promise<Decoder | null> {
  await loadScript(`${VENDOR}barcode-detector.js`);
  const api = (window as unknown as { BarcodeDetectionAPI?: PonyfillApi }).BarcodeDetectionAPI;
  if (!api) return null;
  await api.prepareZXingModule({
    overrides: { locateFile: (path) => `${VENDOR}${path}` },
    fireImmediately: true,
  });
  const detector = new api.BarcodeDetector({ formats: ["qr_code"] });
  // Proves the wasm really runs before we rely on it.
  const probe = document.createElement("canvas");
  probe.width = 8;
  probe.height = 8;
  await detector.detect(probe);
  return {
    name: "ZXing (WebAssembly)",
    detect: async (video) => (await detector.detect(video))[0]?.rawValue ?? null,
  };
}

async function jsqrDecoder(): Promise<Decoder> {
  await loadScript(`${VENDOR}jsqr.js`);
  const jsQR = (window as unknown as { jsQR?: JsQr }).jsQR;
  if (!jsQR) throw new Error("jsQR missing");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new Error("no canvas");
  return {
    name: "jsQR",
    detect: async (video) => {
      const scale = Math.min(1, 640 / Math.max(video.videoWidth, 1));
      canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
      canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      return (
        jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data ??
        null
      );
    },
  };
}

let decoderPromise: Promise<Decoder> | null = null;

/** The best decoder, created once per page. */
export function getDecoder(): Promise<Decoder> {
  decoderPromise ??= (async () => {
    for (const make of [nativeDecoder, zxingDecoder]) {
      try {
        const decoder = await make();
        if (decoder) return decoder;
      } catch {
        // fall through to the next decoder
      }
    }
    return jsqrDecoder();
  })();
  decoderPromise.catch(() => {
    decoderPromise = null;
  });
  return decoderPromise;
}

function cameraError(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "NotAllowedError" || name === "SecurityError")
    return "カメラの使用が許可されていません。ブラウザの設定でカメラを許可してください。";
  if (name === "NotFoundError" || name === "OverconstrainedError")
    return "カメラが見つかりません。USBリーダーか受付番号の入力をご利用ください。";
  if (name === "NotReadableError")
    return "カメラを使用できません。他のアプリがカメラを使っていないか確認してください。";
  return "カメラを起動できませんでした。USBリーダーか受付番号の入力をご利用ください。";
}

/**
 * Runs the camera while `active`, calling `onCode` for every decoded QR (the
 * caller debounces). Returns the decoder's name and any Japanese error.
 */
export function useQrCamera(args: {
  active: boolean;
  videoRef: React.RefObject<HTMLVideoElement | null>;
  onCode: (value: string) => void;
}) {
  const { active, videoRef } = args;
  const onCode = useRef(args.onCode);
  onCode.current = args.onCode;
  const [status, setStatus] = useState<{ decoder: string | null; error: string | null }>({
    decoder: null,
    error: null,
  });

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        setStatus({
          decoder: null,
          error:
            "この接続ではカメラを使えません(HTTPSが必要です)。USBリーダーか受付番号の入力をご利用ください。",
        });
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: {
            facingMode: { ideal: "environment" },
            width: { ideal: 1280 },
            height: { ideal: 720 },
          },
          audio: false,
        });
      } catch (error) {
        setStatus({ decoder: null, error: cameraError(error) });
        return;
      }
      if (stopped) {
        for (const track of stream.getTracks()) track.stop();
        return;
      }
      const video = videoRef.current;
      if (!video) return;
      video.srcObject = stream;
      await video.play().catch(() => {});
      let decoder: Decoder;
      try {
        decoder = await getDecoder();
      } catch {
        setStatus({
          decoder: null,
          error: "QRコードの読み取り機能を読み込めませんでした。受付番号の入力をご利用ください。",
        });
        return;
      }
      setStatus({ decoder: decoder.name, error: null });
      const tick = async () => {
        if (stopped) return;
        if (video.readyState >= 2 && video.videoWidth > 0) {
          try {
            const value = await decoder.detect(video);
            if (value && !stopped) onCode.current(value);
          } catch {
            // a frame that cannot be read; try the next one
          }
        }
        if (!stopped) timer = setTimeout(tick, 120);
      };
      tick();
    })();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
      const video = videoRef.current;
      if (video) video.srcObject = null;
    };
  }, [active, videoRef]);

  return status;
}

/** A beep and a buzz a busy door can hear and feel: one per colour. */
export function useFeedback() {
  const audio = useRef<AudioContext | null>(null);
  useEffect(() => {
    // Browsers allow sound only after a gesture: a tap or a key (USB readers type).
    const unlock = () => {
      if (!audio.current) {
        const Ctx =
          window.AudioContext ??
          (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
        if (Ctx) audio.current = new Ctx();
      }
      audio.current?.resume().catch(() => {});
    };
    window.addEventListener("pointerdown", unlock);
    window.addEventListener("keydown", unlock);
    return () => {
      window.removeEventListener("pointerdown", unlock);
      window.removeEventListener("keydown", unlock);
    };
  }, []);

  return (tone: CheckinTone) => {
    const pattern: Record<
      CheckinTone,
      { freq: number; beeps: number; ms: number; buzz: number[] }
    > = {
      green: { freq: 1320, beeps: 1, ms: 120, buzz: [80] },
      amber: { freq: 660, beeps: 2, ms: 110, buzz: [80, 60, 80] },
      red: { freq: 220, beeps: 1, ms: 450, buzz: [300, 100, 300] },
    };
    const p = pattern[tone];
    try {
      navigator.vibrate?.(p.buzz);
    } catch {
      // not every device vibrates
    }
    const ctx = audio.current;
    if (ctx?.state !== "running") return;
    for (let i = 0; i < p.beeps; i++) {
      const start = ctx.currentTime + i * (p.ms / 1000 + 0.06);
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = tone === "red" ? "square" : "sine";
      osc.frequency.value = p.freq;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + p.ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + p.ms / 1000);
    }
  };
}
