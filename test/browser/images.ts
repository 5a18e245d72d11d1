/**
 * Product images for browser tests: a tiny HTTP server on loopback serving generated SVGs (product image URLs
 * must be http(s); there is no internet here). Each path is a colour: `/product/<hue>.svg`.
 */
import { createServer, type Server } from 'node:http';

function svg(hue: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl(${hue} 80% 80%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360} 70% 55%)"/>
</linearGradient></defs>
<rect width="240" height="240" fill="url(#g)"/>
<ellipse cx="120" cy="178" rx="72" ry="14" fill="hsl(${hue} 40% 30%)" opacity="0.35"/>
<path d="M62 92h116l-12 76a16 16 0 0 1-16 14H90a16 16 0 0 1-16-14z" fill="#fff"/>
<path d="M178 104h14a18 18 0 0 1 0 36h-20" fill="none" stroke="#fff" stroke-width="10"/>
<path d="M96 52c-8 12 8 16 0 28M120 44c-8 12 8 16 0 28M144 52c-8 12 8 16 0 28" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round"/>
</svg>`;
}

export interface ImageServer {
  url(hue: number): string;
  close(): Promise<void>;
}

export async function startImageServer(): Promise<ImageServer> {
  const server: Server = createServer((req, res) => {
    const hue = Number(/^\/product\/(\d+)\.svg$/.exec(req.url ?? '')?.[1]);
    if (!Number.isFinite(hue)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' }).end(svg(hue));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: (hue) => `http://127.0.0.1:${port}/product/${hue}.svg`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
